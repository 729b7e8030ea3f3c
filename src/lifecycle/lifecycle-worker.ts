import { randomUUID } from 'node:crypto';
import { Worker, type Queue } from 'bullmq';
import type { RedisConnection } from '../queue/redis.js';
import type { Logger } from 'pino';
import { QUEUE_NAMES } from '../queue/names.js';
import type { Db } from '../store/db.js';
import { runSweepsOnce, type SweepResult } from './run-sweeps.js';
import type { LifecycleSettings } from './settings.js';

const SWEEP_SCHEDULER_ID = 'lifecycle-sweep';
/** Default interval between sweeps. */
const DEFAULT_SWEEP_EVERY_MS = 60_000;

/**
 * The job scheduler of the lifecycle sweeps (scheduler role). BullMQ keeps one scheduler per id, so
 * every process may upsert it and still one job is produced per interval.
 */
export async function scheduleLifecycleSweeps(queue: Queue, everyMs = DEFAULT_SWEEP_EVERY_MS): Promise<void> {
  await queue.upsertJobScheduler(SWEEP_SCHEDULER_ID, { every: everyMs }, {
    name: 'sweep',
    data: {},
    opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } },
  });
}

export interface LifecycleWorkerOptions {
  connection: RedisConnection;
  prefix: string;
  db: Db;
  settings: LifecycleSettings;
  now: () => Date;
  logger?: Logger;
  onSwept?: (result: SweepResult) => void;
}

/**
 * The `lifecycle` worker (worker role). One job at a time per process, and the sweep lease makes it
 * one sweep at a time across processes; a job that finds the lease taken does nothing.
 */
export function startLifecycleWorker(options: LifecycleWorkerOptions): Worker {
  const holder = `worker-${randomUUID()}`;
  const worker = new Worker(
    QUEUE_NAMES.lifecycle,
    async (job) => {
      if (job.name !== 'sweep') return null;
      const result = await runSweepsOnce(options.db, options.settings, options.now(), holder);
      if (result) {
        options.onSwept?.(result);
        const changed = Object.values(result).some((n) => n > 0);
        if (changed) options.logger?.info({ ...result }, 'lifecycle sweep');
      }
      return result ?? { skipped: 'another worker holds the sweep lease' };
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, error) => options.logger?.warn({ jobId: job?.id, err: error }, 'lifecycle sweep failed'));
  worker.on('error', (error) => options.logger?.error({ err: error }, 'lifecycle worker error'));
  return worker;
}
