import v8 from 'node:v8';

/**
 * Lets the V8 heap grow by 20 % past what each full collection kept, instead of V8's default of
 * up to four times as much. The daemon's live heap is small (about 35 MB while it reconciles
 * 100,000 people) but it allocates fast, and by default the heap swelled to 200 MB of garbage
 * between collections. This is not a cap: a heap that needs more still gets it.
 *
 * V8 reads this flag at each collection, so setting it once at start-up takes effect.
 */
export function keepHeapSmall(): void {
  v8.setFlagsFromString('--heap-growing-percent=20');
}
