import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurablePublisher } from '../../src/ingest/durable-publisher.js';
import type { PersonChange } from '../../src/ingest/records.js';
import { ChangeQueue, changeJobSchema } from '../../src/queue/change-queue.js';
import { parkChanges } from '../../src/store/pending-changes.js';
import { openTestStore, type TestStore } from '../helpers/db.js';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis.js';

/** When each change was observed travels on its job: the start of idsync_change_to_grant_seconds. */
describe('the time a change was observed, on its change job', () => {
  const redis = testRedis();
  const prefix = uniquePrefix('timing');
  let queue: ChangeQueue;
  let store: TestStore;
  beforeAll(async () => {
    queue = new ChangeQueue({ connection: redis, prefix });
    store = await openTestStore('postgres');
  });
  afterAll(async () => {
    await queue.close();
    await deletePrefix(redis, prefix);
    await redis.quit();
    await store.close();
  });

  const jobs = async () => {
    const all = await queue.queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, -1, true);
    await queue.queue.obliterate({ force: true });
    return all.map((j) => changeJobSchema.parse(j.data));
  };
  const change = (n: number, observedAt?: number): PersonChange => ({ key: `user${n}@example.com`, sourceId: 'hr', cause: 'test', ...(observedAt ? { observedAt } : {}) });

  it('a published change carries when it was published: ingest publishes once its write has committed', async () => {
    const before = Date.now();
    await queue.publish([change(1)]);
    await queue.publish([change(2), change(3)]);
    const after = Date.now();
    const published = await jobs();
    expect(published).toHaveLength(2);
    for (const job of published) {
      expect(job.observedAt).toBeGreaterThanOrEqual(before);
      expect(job.observedAt).toBeLessThanOrEqual(after);
    }
  });

  it('a job of many changes carries the oldest time any of them brings, once, not per change', async () => {
    const old = Date.now() - 60_000;
    await queue.publish([change(1), change(2, old), change(3, old + 5000)]);
    const [job] = await jobs();
    expect(job?.observedAt).toBe(old);
    expect(job?.changes).toEqual([change(1), change(2), change(3)]);
  });

  it('a job queued by an older idsync, without a time, is still a valid job', () => {
    expect(changeJobSchema.parse({ changes: [change(1)] }).observedAt).toBeUndefined();
  });

  it('a change parked while the queue was down keeps the time it was parked, not the time it was relayed', async () => {
    await parkChanges(store.db, [change(7)]);
    await store.db.query(`update pending_changes set created_at = now() - interval '10 minutes' where key = $1`, ['user7@example.com']);
    const publisher = new DurablePublisher({ db: store.db, inner: queue });
    expect(await publisher.relay()).toBe(1);
    const [job] = await jobs();
    expect(job?.changes).toEqual([change(7)]);
    const age = Date.now() - (job?.observedAt ?? 0);
    expect(age).toBeGreaterThan(9 * 60_000);
    expect(age).toBeLessThan(11 * 60_000);
  });
});
