import { describe, expect, it } from 'vitest';
import { BULK_READ_GROWING_PERCENT, BULK_WRITE_GROWING_PERCENT, bulkWorkRunning, duringBulkWork, heapGrowingPercent } from './heap.js';

describe('duringBulkWork', () => {
  it('counts overlapping sections, and ends each one whether it resolves or throws', async () => {
    let release: () => void = () => {};
    const first = duringBulkWork(() => new Promise<string>((resolve) => (release = () => resolve('first'))));
    expect(bulkWorkRunning()).toBe(1);
    await expect(
      duringBulkWork(async () => {
        expect(bulkWorkRunning()).toBe(2);
        throw new Error('failed inside');
      }),
    ).rejects.toThrow('failed inside');
    expect(bulkWorkRunning()).toBe(1);
    release();
    expect(await first).toBe('first');
    expect(bulkWorkRunning()).toBe(0);
  });

  it('applies the tightest setting of the sections running, and V8\'s own once none runs', async () => {
    expect(heapGrowingPercent()).toBe(0);
    await duringBulkWork(async () => {
      expect(heapGrowingPercent()).toBe(BULK_READ_GROWING_PERCENT);
      await duringBulkWork(async () => expect(heapGrowingPercent()).toBe(BULK_WRITE_GROWING_PERCENT));
      expect(heapGrowingPercent()).toBe(BULK_READ_GROWING_PERCENT);
    }, BULK_READ_GROWING_PERCENT);
    expect(heapGrowingPercent()).toBe(0);
  });
});
