import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { Ingest } from '../../src/ingest/ingest.js';
import type { ChangePublisher, PersonChange } from '../../src/ingest/records.js';
import { ChangeQueue } from '../../src/queue/change-queue.js';
import { bullPrefix } from '../../src/queue/names.js';
import { startChangeWorker } from '../../src/reconcile/change-worker.js';
import { reconcileContext } from '../../src/reconcile/context.js';
import type { Db } from '../../src/store/db.js';
import { registerConfig } from '../../src/store/registry.js';
import { deletePrefix, testRedis, uniquePrefix } from './redis.js';

/** Counts what ingest publishes, then passes it on. */
export class CountingPublisher implements ChangePublisher {
  published = 0;
  constructor(private readonly inner: ChangePublisher) {}
  async publish(changes: readonly PersonChange[]): Promise<void> {
    this.published += changes.length;
    await this.inner.publish(changes);
  }
}

export interface Pipeline {
  config: Config;
  ingest: Ingest;
  publisher: CountingPublisher;
  changes: ChangeQueue;
  redis: Redis;
  prefix: string;
  clock: { now: Date };
  /** Every failed attempt of a change job, retried or not. */
  failures: string[];
  startWorker(options?: { db?: Db; concurrency?: number }): Worker;
  /** Waits until no change job is waiting, delayed or active. */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Ingest → a real BullMQ queue under a unique prefix → reconcile workers, over the given store. */
export async function createPipeline(db: Db, rawConfig: unknown, label = 'p'): Promise<Pipeline> {
  const config = parseConfig(rawConfig);
  await registerConfig(db, config);
  const prefix = bullPrefix(uniquePrefix(label));
  const redis = testRedis();
  const changes = new ChangeQueue({ connection: redis, prefix });
  const publisher = new CountingPublisher(changes);
  const ingest = new Ingest({ db, changes: publisher });
  const clock = { now: new Date('2026-01-15T12:00:00Z') };
  const workers: Worker[] = [];
  const connections: Redis[] = [];
  const failures: string[] = [];
  return {
    config,
    ingest,
    publisher,
    changes,
    redis,
    prefix,
    clock,
    failures,
    startWorker(options = {}) {
      const connection = testRedis();
      connections.push(connection);
      const worker = startChangeWorker({
        connection,
        prefix,
        context: reconcileContext(options.db ?? db, config, () => clock.now),
        concurrency: options.concurrency ?? 4,
      });
      worker.on('failed', (_job, error) => failures.push(error.message));
      workers.push(worker);
      return worker;
    },
    async drain(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const c = await changes.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
        if ((c['failed'] ?? 0) > 0) {
          const failed = await changes.queue.getFailed(0, 0);
          throw new Error(`a change job failed: ${failed[0]?.failedReason}`);
        }
        if ((c['waiting'] ?? 0) + (c['active'] ?? 0) + (c['delayed'] ?? 0) + (c['prioritized'] ?? 0) === 0) return;
        if (Date.now() > deadline) throw new Error(`change queue not drained: ${JSON.stringify(c)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await changes.close();
      await deletePrefix(redis, prefix);
      await Promise.all([redis, ...connections].map((c) => c.quit()));
    },
  };
}
