import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Env } from '../config/env.js';
import type { Config } from '../config/schema.js';
import type { Metrics } from '../api/metrics.js';
import { recordReconciled, recordSweep } from '../api/record-metrics.js';
import { startLifecycleWorker } from '../lifecycle/lifecycle-worker.js';
import { lifecycleSettings } from '../lifecycle/settings.js';
import { startChangeWorker } from '../reconcile/change-worker.js';
import { reconcileContext } from '../reconcile/context.js';
import type { Db } from '../store/db.js';
import type { SyncService } from '../sync/sync-service.js';
import { webhookTargets } from '../webhooks/delivery-job.js';
import { startOutboxRelay } from '../webhooks/outbox-relay.js';
import { startWebhookWorker } from '../webhooks/webhook-worker.js';
import type { Closers } from './closers.js';
import { closeWorker } from './close-worker.js';
import type { LifecycleTimings } from './options.js';
import type { DaemonQueues } from './queues.js';

/** How long a worker's active jobs may run on at shutdown before its connections are cut. */
const WORKER_GRACE_MS = 7000;

export interface WorkerParts {
  db: Db;
  config: Config;
  env: Env;
  now: () => Date;
  logger: Logger;
  queues: DaemonQueues;
  metrics: Metrics;
  sync: SyncService;
  closers: Closers;
  /** Jobs each change worker runs at once. */
  workerConcurrency: number;
  lifecycleTimings: LifecycleTimings;
}

/** The worker role: reconcile and sync workers, then lifecycle and webhook workers. */
export async function startWorkers(parts: WorkerParts): Promise<Worker[]> {
  return [...(await startChangeAndSyncWorkers(parts)), ...startLifecycleAndWebhookWorkers(parts)];
}

async function startChangeAndSyncWorkers({ db, config, now, logger, queues, metrics, sync, closers, workerConcurrency }: WorkerParts): Promise<Worker[]> {
  const { redis: connection, prefix } = queues;
  const worker = startChangeWorker({
    connection,
    prefix,
    context: reconcileContext(db, config, now),
    concurrency: workerConcurrency,
    logger,
    onReconciled: (result, count, timing) => recordReconciled(metrics, result, count, timing),
  });
  const syncWorker = sync.startWorker({ connection, prefix });
  // Runs whose worker died are failed, at start and every minute.
  // A failed check is tried again a minute later, and the run stays marked running until then.
  const abandoned = setInterval(() => void sync.failAbandoned().catch(() => {}), 60_000);
  abandoned.unref();
  closers.first(async () => clearInterval(abandoned));
  // The embedded store belongs to this process alone: a run still marked running was this
  // directory's previous process's, which died (kill -9, a crash) — it is abandoned now, not in
  // two minutes. On PostgreSQL another worker may be running it: its heartbeat decides.
  await sync.failAbandoned(db.kind === 'pglite' ? 0 : undefined);
  // Workers close first, together, so that active jobs finish (or are released) before connections
  // go; running syncs are aborted (they end failed, applying nothing more).
  closers.first(async () => {
    sync.abortAll('aborted: idsync is shutting down');
    await Promise.all([closeWorker(worker, WORKER_GRACE_MS, logger), closeWorker(syncWorker, WORKER_GRACE_MS, logger)]);
  });
  return [worker, syncWorker];
}

function startLifecycleAndWebhookWorkers({ db, config, env, now, logger, queues, metrics, closers, lifecycleTimings }: WorkerParts): Worker[] {
  const { redis: connection, prefix } = queues;
  const lifecycleWorker = startLifecycleWorker({ connection, prefix, db, settings: lifecycleSettings(config), now, logger, onSwept: (result) => recordSweep(metrics, result) });
  const webhookWorker = startWebhookWorker({
    connection,
    prefix,
    secret: (name) => env[name],
    logger,
    onAttempt: (target, outcome) => metrics.webhookDeliveries.inc({ target, outcome }),
  });
  const relay = startOutboxRelay({
    db,
    queue: queues.webhooks,
    targets: webhookTargets(config.webhooks),
    intervalMs: lifecycleTimings.relayIntervalMs,
    attempts: lifecycleTimings.webhookAttempts,
    backoffMs: lifecycleTimings.webhookBackoffMs,
    logger,
  });
  closers.first(async () => {
    await relay.stop();
    await Promise.all([closeWorker(lifecycleWorker, WORKER_GRACE_MS, logger), closeWorker(webhookWorker, WORKER_GRACE_MS, logger)]);
  });
  return [lifecycleWorker, webhookWorker];
}
