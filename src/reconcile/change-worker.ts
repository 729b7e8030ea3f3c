import { UnrecoverableError, Worker } from 'bullmq';
import type { RedisConnection } from '../queue/redis.js';
import type { Logger } from 'pino';
import { changeJobSchema, type ChangeJob } from '../queue/change-queue.js';
import { QUEUE_NAMES } from '../queue/names.js';
import { duringBulkWork } from '../runtime/heap.js';
import { reconcilePeople, type ReconcileContext, type ReconcileResult } from './reconcile-people.js';

export interface ChangeWorkerOptions {
  connection: RedisConnection;
  prefix: string;
  context: ReconcileContext;
  /** Jobs processed at once by this worker. Default 4. */
  concurrency?: number;
  logger?: Logger;
  /**
   * Called once a job's transaction has committed, with how many changes it carried and when the
   * oldest of them was written to observed state (ms since the epoch; absent on jobs of an older idsync).
   */
  onReconciled?: (result: ReconcileResult, changes: number, timing: { observedAt: number | undefined; committedAt: number }) => void;
}

/** The `changes` worker: parses the payload and hands it to `reconcilePeople`. */
export function startChangeWorker(options: ChangeWorkerOptions): Worker<ChangeJob, ReconcileResult> {
  const worker = new Worker<ChangeJob, ReconcileResult>(
    QUEUE_NAMES.changes,
    async (job) => {
      const parsed = changeJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid change job payload: ${parsed.error.message}`);
      const { changes, observedAt } = parsed.data;
      // A job about one person is request-sized; larger ones are bulk work (see runtime/heap.ts).
      const result = changes.length > 1 ? await duringBulkWork(() => reconcilePeople(options.context, changes)) : await reconcilePeople(options.context, changes);
      // The wall clock, like the publisher's stamp (the context's clock may be a test's fake one).
      options.onReconciled?.(result, changes.length, { observedAt, committedAt: Date.now() });
      return result;
    },
    { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency ?? 4, autorun: true },
  );
  worker.on('failed', (job, error) => {
    options.logger?.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'reconcile job failed');
  });
  worker.on('error', (error) => options.logger?.error({ err: error }, 'change worker error'));
  return worker;
}
