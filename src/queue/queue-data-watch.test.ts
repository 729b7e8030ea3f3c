import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../test/helpers/redis.js';
import { bullPrefix } from './names.js';
import { watchQueueData, type QueueDataWatch } from './queue-data-watch.js';

describe('the queue data watch', () => {
  const redis = testRedis();
  const prefix = bullPrefix(uniquePrefix('qwatch'));
  const watches: QueueDataWatch[] = [];
  afterAll(async () => {
    await Promise.all(watches.map((w) => w.stop()));
    await deletePrefix(redis, prefix);
    await redis.quit();
  });
  const watch = (onLost: () => Promise<void>) => {
    const w = watchQueueData({ redis, prefix, onLost, intervalMs: 60_000 });
    watches.push(w);
    return w;
  };

  it('recovers once when the marker is missing, not while it is there', async () => {
    let lost = 0;
    const w = watch(async () => {
      lost++;
    });
    expect(await w.check()).toBe('recovered');
    expect(await w.check()).toBe('present');
    expect(lost).toBe(1);
  });

  it('notices the data gone (the marker with it) and recovers again', async () => {
    let lost = 0;
    const w = watch(async () => {
      lost++;
    });
    expect(await w.check()).toBe('present');
    await deletePrefix(redis, prefix); // FLUSHALL, as far as this prefix goes
    expect(await w.check()).toBe('recovered');
    expect(lost).toBe(1);
    expect(await w.check()).toBe('present');
  });

  it('one process recovers at a time: another that finds the marker missing meanwhile leaves it to the first', async () => {
    await deletePrefix(redis, prefix);
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    const a = watch(async () => {
      runs++;
      await slow;
    });
    const b = watch(async () => {
      runs++;
    });
    const first = a.check();
    await new Promise((r) => setTimeout(r, 50));
    expect(await b.check()).toBe('recovering-elsewhere');
    release();
    expect(await first).toBe('recovered');
    expect(await b.check()).toBe('present');
    expect(runs).toBe(1);
  });

  it('a process that looked before another recovered does not recover again once it holds the lease', async () => {
    await deletePrefix(redis, prefix);
    let lost = 0;
    const first = watch(async () => {
      lost++;
    });
    // The second process finds the marker missing, then, before it takes the lease, the first one
    // recovers completely (marker written, lease let go).
    let looked = false;
    const slow = new Proxy(redis, {
      get(target, key) {
        if (key === 'exists')
          return async (k: string) => {
            const n = await target.exists(k);
            if (!looked) {
              looked = true;
              expect(await first.check()).toBe('recovered');
            }
            return n;
          };
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const second = watchQueueData({ redis: slow, prefix, onLost: async () => void lost++, intervalMs: 60_000 });
    watches.push(second);
    expect(await second.check()).toBe('present');
    expect(lost).toBe(1);
  });

  it('a recovery that fails leaves the marker unset, so the next look tries again', async () => {
    await deletePrefix(redis, prefix);
    let attempts = 0;
    const w = watch(async () => {
      attempts++;
      if (attempts === 1) throw new Error('database away');
    });
    await expect(w.check()).rejects.toThrow('database away');
    expect(await w.check()).toBe('recovered');
    expect(attempts).toBe(2);
  });
});
