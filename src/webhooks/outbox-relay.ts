import type { JobsOptions, Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Db } from '../store/db.js';
import { ensureOutboxCursor, lockOutboxCursor, moveOutboxCursor, readOutboxAfter } from '../store/events/outbox.js';
import { wants, type DeliveryJob, type WebhookTarget } from './delivery-job.js';

const CURSOR = 'webhooks';

export interface OutboxRelayOptions {
  db: Db;
  /** The `webhooks` queue. */
  queue: Queue;
  targets: readonly WebhookTarget[];
  /** Outbox rows per transaction. Default 500. */
  batchSize?: number;
  /** Attempts per delivery. Default 10. */
  attempts?: number;
  /** First retry delay, doubled each time. Default 5000 ms. */
  backoffMs?: number;
}

/**
 * Moves outbox events onto the `webhooks` queue, one delivery job per event and matching endpoint,
 * without losing or duplicating any:
 * - the relay's position is a row in `outbox_cursors`, locked `for update skip locked` for the whole
 *   batch, so one relay runs at a time however many workers there are (the others skip the tick);
 * - it reads only rows of transactions older than every transaction still running
 *   (`pg_snapshot_xmin`), in (tx, id) order, so a row committed late by a slow writer is never
 *   passed over;
 * - jobs are added before the cursor moves, in the same transaction: if Redis fails the cursor stays
 *   and the batch is relayed again; each job's id is `<endpoint>-<event id>`, so BullMQ ignores the
 *   copies of jobs that were already added.
 * Returns the number of events relayed.
 */
export async function relayOutbox(options: OutboxRelayOptions): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  const jobOptions: JobsOptions = {
    attempts: options.attempts ?? 10,
    backoff: { type: 'exponential', delay: options.backoffMs ?? 5000 },
    removeOnComplete: { age: 7 * 86_400, count: 10_000 },
    // Kept after the last attempt, for bull-board and a manual retry.
    removeOnFail: false,
  };
  await ensureOutboxCursor(options.db, CURSOR);
  let total = 0;
  for (;;) {
    const n = await options.db.transaction(async (tx) => {
      const cursor = await lockOutboxCursor(tx, CURSOR);
      if (!cursor) return 0;
      const rows = await readOutboxAfter(tx, cursor, batchSize);
      const last = rows[rows.length - 1];
      if (!last) return 0;
      const jobs: Array<{ name: string; data: DeliveryJob; opts: JobsOptions }> = [];
      for (const row of rows) {
        for (const target of options.targets) {
          if (!wants(target, row.type)) continue;
          jobs.push({
            name: row.type,
            data: {
              url: target.url,
              secretEnv: target.secretEnv,
              event: { id: row.id, type: row.type, at: row.at.toISOString(), personId: row.person_id, workspaceId: row.workspace_id, data: row.payload },
            },
            opts: { ...jobOptions, jobId: `${target.id}-${row.id}` },
          });
        }
      }
      if (jobs.length > 0) await options.queue.addBulk(jobs);
      await moveOutboxCursor(tx, CURSOR, [last.tx, last.id]);
      return rows.length;
    });
    total += n;
    if (n < batchSize) return total;
  }
}

export interface RunningRelay {
  /** Relays now (also what the timer does); concurrent calls in one process share one run. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/** Relays every `intervalMs` (default 1000) until stopped. */
export function startOutboxRelay(options: OutboxRelayOptions & { intervalMs?: number; logger?: Logger }): RunningRelay {
  let running: Promise<number> | undefined;
  const runOnce = () => {
    running ??= relayOutbox(options).finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    runOnce().catch((error: unknown) => options.logger?.warn({ err: error }, 'outbox relay failed; retrying'));
  }, options.intervalMs ?? 1000);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      // Only waits for a relay round in progress to end: its failure was logged by whoever started it.
      await running?.catch(() => {});
    },
  };
}
