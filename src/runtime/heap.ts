import v8 from 'node:v8';

/** How far past what each full collection kept the heap may grow during bulk work. */
const BULK_WORK_GROWING_PERCENT = 20;

let bulkWork = 0;

/**
 * Runs `fn` with the V8 heap kept near its live size: while any bulk work runs (a sync run, a
 * reconcile job, a batch written to observed state) the heap may grow only 20 % past what each
 * full collection kept, instead of up to four times as much by V8's own rule. Bulk work allocates
 * fast: reconciling 100,000 people keeps about 35 MB live, yet by default the heap swelled to
 * 200 MB of garbage between collections. This is not a cap; a heap that needs more still gets it.
 *
 * Outside bulk work (serving requests, whose live data is small) V8 sizes the heap itself: the
 * tight setting made a SCIM request cost about a sixth more CPU in collections.
 *
 * V8 reads this flag at each collection, and it is process-wide (every thread's heap).
 */
export async function duringBulkWork<T>(fn: () => Promise<T>): Promise<T> {
  if (bulkWork++ === 0) v8.setFlagsFromString(`--heap-growing-percent=${BULK_WORK_GROWING_PERCENT}`);
  try {
    return await fn();
  } finally {
    // 0 is V8's default: its own growing factor.
    if (--bulkWork === 0) v8.setFlagsFromString('--heap-growing-percent=0');
  }
}

/** How many bulk-work sections are running now (the heap is kept tight while it is not 0). */
export function bulkWorkRunning(): number {
  return bulkWork;
}
