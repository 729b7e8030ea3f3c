import v8 from 'node:v8';

/** How far past what each full collection kept the heap may grow while bulk writes run. */
export const BULK_WRITE_GROWING_PERCENT = 20;

/**
 * The same for a sync run's reading and diffing. It keeps little (the run's sets of seen names),
 * allocates fast, and with 20 % spent about a third of an unchanged 100,000-user run in full
 * collections; its writes enter `duringBulkWork` themselves, and then the tighter setting holds.
 */
export const BULK_READ_GROWING_PERCENT = 50;

/** The growing percent each running section asked for. */
const running: number[] = [];
let applied = 0;

/**
 * Runs `fn` with the V8 heap kept near its live size: while bulk work runs (a sync run, a
 * reconcile job, a batch written to observed state) the heap may grow only `growingPercent` past
 * what each full collection kept, instead of up to four times as much by V8's own rule. Bulk work
 * allocates fast: reconciling 100,000 people keeps about 35 MB live, yet by default the heap
 * swelled to 200 MB of garbage between collections. This is not a cap; a heap that needs more
 * still gets it. When sections overlap, the tightest one's setting holds.
 *
 * Outside bulk work (serving requests, whose live data is small) V8 sizes the heap itself: the
 * tight setting made a SCIM request cost about a sixth more CPU in collections.
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
