import { describe, expect, it } from 'vitest';
import { bulkWorkRunning, duringBulkWork } from './heap.js';

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
});
