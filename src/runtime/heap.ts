import v8 from 'node:v8';

/**
 * The V8 heap setting for bulk work, switched at run time by the job processors only: the sync
 * worker (a whole run) and the reconcile worker (a job about several people). No library code enters
 * it (test/architecture checks), and a process that only serves requests never changes it.
 *
 * Why not fix it at process start (`node --heap-growing-percent=20` in the bin entry): `idsync start`
 * serves SCIM in the process that runs the jobs, and the tight setting made every SCIM request
 * cost more CPU in collections, for no gain in sync or reconcile throughput. The measurements are
 * in docs/benchmarks.md ("The heap setting").
 */

/** How far past what each full collection kept the heap may grow while a reconcile job runs. */
export const BULK_WRITE_GROWING_PERCENT = 20;

/**
 * The same for a sync run, looser: it keeps little (the run's sets of seen names) and allocates
 * fast, so the tighter setting spent much of an unchanged run in full collections (figures in
 * docs/benchmarks.md, "Why the mechanisms exist"). A reconcile job running meanwhile in the same
 * process tightens it (the tightest section holds).
 */
export const BULK_READ_GROWING_PERCENT = 50;

/** The growing percent each running section asked for. */
const running: number[] = [];
let applied = 0;

/**
 * Runs `fn` with the V8 heap kept near its live size: while bulk work runs (a sync run, a
 * reconcile job) the heap may grow only `growingPercent` past
 * what each full collection kept, instead of up to four times as much by V8's own rule. Bulk work
 * keeps little live but allocates fast, so by default the heap swells with garbage between
 * collections (figures in docs/benchmarks.md, "Why the mechanisms exist"). This is not a cap; a
 * heap that needs more still gets it. When sections overlap, the tightest one's setting holds.
 *
 * Outside bulk work (serving requests, whose live data is small) V8 sizes the heap itself.
 *
 * V8 reads this flag at each collection, and it is process-wide (every thread's heap).
 */
export async function duringBulkWork<T>(fn: () => Promise<T>, growingPercent = BULK_WRITE_GROWING_PERCENT): Promise<T> {
  running.push(growingPercent);
  apply();
  try {
    return await fn();
  } finally {
    running.splice(running.indexOf(growingPercent), 1);
    apply();
  }
}

function apply(): void {
  // 0 is V8's default: its own growing factor.
  const wanted = running.length === 0 ? 0 : Math.min(...running);
  if (wanted === applied) return;
  v8.setFlagsFromString(`--heap-growing-percent=${wanted}`);
  applied = wanted;
}

/** How many bulk-work sections are running now (the heap is kept tight while it is not 0). */
export function bulkWorkRunning(): number {
  return running.length;
}

/** The growing percent in force now; 0 when V8 sizes the heap itself. */
export function heapGrowingPercent(): number {
  return applied;
}
