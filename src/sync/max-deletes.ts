/** The most deletions a run may apply: `maxDeletes` is a count or a percentage of the source's users. */
export function deletionLimit(maxDeletes: number | string, liveUsers: number): number {
  if (typeof maxDeletes === 'number') return maxDeletes;
  const percent = Number(maxDeletes.replace('%', ''));
  return Math.floor((liveUsers * percent) / 100);
}
