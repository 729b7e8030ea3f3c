/**
 * Adds `value` to `set`; false when it was there already. One insertion instead of a lookup and
 * an insertion: the sets a sync keeps of names and e-mails grow with the whole directory.
 */
export function addNew(set: Set<string>, value: string): boolean {
  const size = set.size;
  set.add(value);
  return set.size !== size;
}
