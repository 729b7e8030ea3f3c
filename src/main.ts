import { recordSyncRun } from './api/record-metrics.js';
import { Ingest } from './ingest/ingest.js';
import { checkRedis } from './queue/redis.js';
import { SyncService } from './sync/sync-service.js';
import { Closers } from './daemon/closers.js';
import { daemonMetrics } from './daemon/daemon-metrics.js';
import { openDaemonStore } from './daemon/open-daemon-store.js';
import type { Daemon, DaemonOptions } from './daemon/options.js';
import { startParkedChangesRelay } from './daemon/parked-changes.js';
import { connectQueues } from './daemon/queues.js';
import { startSchedulers } from './daemon/start-schedulers.js';
import { startHttp, startOpsHttp } from './daemon/start-http.js';
import { startWorkers } from './daemon/start-workers.js';

export type { Daemon, DaemonOptions, LifecycleTimings, Roles } from './daemon/options.js';

/**
 * The composition root: opens the store and Redis, and starts the roles asked for. Every other
 * module receives what it needs from here; nothing reads global state. Each part registers how it
 * closes, so that shutdown (and a failed start) stops workers and servers before the connections
 * and the store they use.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { settings, config, logger, env, roles } = options;
  const now = options.now ?? (() => new Date());
  await checkRedis(settings.redisUrl);

  const closers = new Closers();
  const db = await openDaemonStore({ settings, config, logger, db: options.db, closers });
  const queues = await connectQueues({ settings, logger, closers });
  const publisher = startParkedChangesRelay({ db, changes: queues.changes, logger, closers });
  const ingest = new Ingest({ db, changes: publisher });
  const metrics = daemonMetrics({ db, config, queues, logger });
  const sync = new SyncService({
    db,
    ingest,
    config,
    env,
    queue: queues.sync,
    logger,
    connectorFactory: options.connectorFactory,
    onRunFinished: (run) => recordSyncRun(metrics.metrics, run),
  });

  const workers = roles.worker
    ? await startWorkers({ db, config, env, now, logger, queues, metrics: metrics.metrics, sync, closers, workerConcurrency: options.workerConcurrency ?? 4, lifecycleTimings: options.lifecycleTimings ?? {} })
    : [];
  if (roles.scheduler) await startSchedulers({ db, logger, queues, sync, publisher, closers, sweepEveryMs: options.lifecycleTimings?.sweepEveryMs });
  const http = { settings, config, env, now, logger, db, queues, metrics, sync, ingest, publisher, closers, httpLimits: options.httpLimits };
  const url = roles.http ? await startHttp(http) : roles.worker ? await startOpsHttp(http) : undefined;

  let closing: Promise<void> | undefined;
  return {
    db,
    sync,
    ingest,
    changes: queues.changes,
    queues: queues.all,
    workers,
    url,
    close() {
      closing ??= closers.run(logger);
      return closing;
    },
  };
}
