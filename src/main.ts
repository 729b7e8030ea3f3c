import type { Server } from 'node:http';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import { Queue, type Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Env, Settings } from './config/env.js';
import type { Config } from './config/schema.js';
import { AuthFailureLimiter } from './api/auth-failure-limiter.js';
import { createHttpApp } from './api/http-app.js';
import { listen, type HttpLimits } from './api/listen.js';
import { InFlightRequests } from './api/in-flight.js';
import { createMetrics } from './api/metrics.js';
import { createOpsApp } from './api/ops-app.js';
import { recordReconciled, recordSweep, recordSyncRun } from './api/record-metrics.js';
import { scimRequestMetrics } from './api/scim-request-metrics.js';
import { SourceActivityRecorder } from './api/source-activity-recorder.js';
import { DurablePublisher } from './ingest/durable-publisher.js';
import { Ingest } from './ingest/ingest.js';
import { ChangeQueue } from './queue/change-queue.js';
import { watchQueueData } from './queue/queue-data-watch.js';
import { bullPrefix, QUEUE_NAMES } from './queue/names.js';
import { checkRedis, createProducerRedis, createRedis } from './queue/redis.js';
import { startChangeWorker } from './reconcile/change-worker.js';
import { reconcileContext } from './reconcile/context.js';
import type { Db } from './store/db.js';
import { migrate } from './store/migrate.js';
import { openStore } from './store/open.js';
import { parkEveryone } from './store/pending-changes.js';
import { registerConfig } from './store/registry.js';
import { sourceRoutes } from './api/routes/sources.js';
import { isPulled, type ConnectorFactory } from './sync/connectors.js';
import { sourcesHealth } from './sync/sources-health.js';
import { SyncService } from './sync/sync-service.js';
import { failQueuedRuns } from './sync/runs.js';
import { createScimServer, recordScimRequests, RequestLogWriter, scimTokens } from './scim/index.js';
import { adminContext } from './admin/context.js';
import { adminApiRouters } from './api/admin-routes.js';
import { scheduleLifecycleSweeps, startLifecycleWorker } from './lifecycle/lifecycle-worker.js';
import { lifecycleSettings } from './lifecycle/settings.js';
import { webhookTargetLabel, webhookTargets } from './webhooks/delivery-job.js';
import { oldestUndeliveredAt } from './webhooks/oldest-undelivered.js';
import { startOutboxRelay } from './webhooks/outbox-relay.js';
import { startWebhookWorker } from './webhooks/webhook-worker.js';
import { settlesWithin } from './runtime/settles-within.js';
import { createConsole } from './console/index.js';

const RELAY_INTERVAL_MS = 2000;

export interface Roles {
  /** SCIM server, admin API, ops endpoints. */
  http: boolean;
  /** Queue workers: reconcile, sync, lifecycle, webhooks. */
  worker: boolean;
  /** Job schedulers: directory sync schedules and lifecycle sweeps. */
  scheduler: boolean;
}

export interface DaemonOptions {
  settings: Settings;
  config: Config;
  roles: Roles;
  logger: Logger;
  /** The clock; tests control it. */
  now?: () => Date;
  /** Open store to use instead of the one `settings` names (tests). */
  db?: Db;
  /** Jobs each change worker runs at once. Default 4. */
  workerConcurrency?: number;
  /** Where secrets named in the config (`tokenEnv`, `passwordEnv`, …) are looked up. */
  env: Env;
  /** Builds a source's connector; tests point cloud connectors at local fakes. */
  connectorFactory?: ConnectorFactory;
  /** Lifecycle sweep and webhook timings; tests shorten them. */
  lifecycleTimings?: LifecycleTimings;
  /** Request timeouts and header size of the HTTP server (`DEFAULT_HTTP_LIMITS`); tests shorten them. */
  httpLimits?: Partial<HttpLimits>;
}

export interface LifecycleTimings {
  /** Between lifecycle sweeps (job scheduler). Default 60 000 ms. */
  sweepEveryMs?: number;
  /** Between outbox relays to the webhooks queue. Default 1000 ms. */
  relayIntervalMs?: number;
  /** Attempts per webhook delivery. Default 10. */
  webhookAttempts?: number;
  /** First webhook retry delay, doubled each time. Default 5000 ms. */
  webhookBackoffMs?: number;
}

export interface Daemon {
  db: Db;
  sync: SyncService;
  ingest: Ingest;
  changes: ChangeQueue;
  queues: Queue[];
  workers: Worker[];
  /** `http://host:port`: the HTTP role, or a worker's `/healthz`, `/readyz` and `/metrics`. */
  url: string | undefined;
  close(): Promise<void>;
}

/**
 * The composition root: opens the store and Redis, and starts the roles asked for. Every other
 * module receives what it needs from here; nothing reads global state.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { settings, config, logger } = options;
  const now = options.now ?? (() => new Date());
  await checkRedis(settings.redisUrl);

  const db = options.db ?? (await openStore({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir }));
  const closers: Array<() => Promise<unknown>> = [];
  try {
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    await registerConfig(db, config);
  } catch (error) {
    if (!options.db) await db.close().catch(() => {});
    throw error;
  }
  if (!options.db) closers.push(() => db.close());

  const prefix = bullPrefix(settings.queuePrefix);
  const redis = createRedis(settings.redisUrl);
  redis.on('error', (error) => logger.warn({ err: { message: error.message } }, 'redis connection error'));
  closers.unshift(() => redis.quit().catch(() => redis.disconnect()));

  const producerRedis = await createProducerRedis(settings.redisUrl);
  closers.unshift(() => producerRedis.quit().catch(() => producerRedis.disconnect()));
  const changes = new ChangeQueue({ connection: producerRedis, prefix });
  const syncQueue = new Queue(QUEUE_NAMES.sync, { connection: redis, prefix });
  const queues: Queue[] = [
    changes.queue,
    syncQueue,
    new Queue(QUEUE_NAMES.lifecycle, { connection: redis, prefix }),
    new Queue(QUEUE_NAMES.webhooks, { connection: redis, prefix }),
  ];
  for (const q of queues) q.on('error', (error) => logger.warn({ queue: q.name, err: { message: error.message } }, 'queue error'));
  closers.unshift(() => Promise.all(queues.map((q) => q.close())));
  const lifecycleQueue = queues.find((q) => q.name === QUEUE_NAMES.lifecycle) as Queue;
  const webhooksQueue = queues.find((q) => q.name === QUEUE_NAMES.webhooks) as Queue;
  const publisher = new DurablePublisher({
    db,
    inner: changes,
    onParked: (count, error) => logger.warn({ count, err: { message: (error as Error).message } }, 'queue unavailable: changes parked until it answers'),
  });
  const ingest = new Ingest({ db, changes: publisher });
  // Parked changes (written while Redis was down) are published as soon as the queue answers.
  const relayTimer = setInterval(() => {
    publisher.relay().then(
      (n) => n > 0 && logger.info({ count: n }, 'parked changes published'),
      () => {},
    );
  }, RELAY_INTERVAL_MS);
  relayTimer.unref();
  closers.unshift(async () => clearInterval(relayTimer));
  // Health is read with the system clock, as the runs' own timestamps (written by the database) are.
  const healthOfSources = () => sourcesHealth(db, config, new Date());
  const metrics = createMetrics(queues, {
    sourcesHealth: healthOfSources,
    oldestUndelivered: config.webhooks.length > 0 ? () => oldestUndeliveredAt({ db, queue: webhooksQueue }) : undefined,
    pulledSources: config.sources.filter((s) => isPulled(s)).map((s) => s.id),
    webhookTargets: config.webhooks.map((w) => webhookTargetLabel(w.url)),
    onCollectError: (metric, error) => logger.warn({ metric, err: { message: (error as Error).message } }, 'metric could not be read'),
  });
  const sync = new SyncService({
    db,
    ingest,
    config,
    env: options.env,
    queue: syncQueue,
    logger,
    connectorFactory: options.connectorFactory,
    onRunFinished: (run) => recordSyncRun(metrics, run),
  });

  const workers: Worker[] = [];
  if (options.roles.worker) {
    const worker = startChangeWorker({
      connection: redis,
      prefix,
      context: reconcileContext(db, config, now),
      concurrency: options.workerConcurrency ?? 4,
      logger,
      onReconciled: (result, count, timing) => recordReconciled(metrics, result, count, timing),
    });
    workers.push(worker);
    const syncWorker = sync.startWorker({ connection: redis, prefix });
    workers.push(syncWorker);
    // Runs whose worker died are failed, at start and every minute.
    const abandoned = setInterval(() => void sync.failAbandoned().catch(() => {}), 60_000);
    abandoned.unref();
    closers.unshift(async () => clearInterval(abandoned));
    // The embedded store belongs to this process alone: a run still marked running was this
    // directory's previous process's, which died (kill -9, a crash) — it is abandoned now, not in
    // two minutes. On PostgreSQL another worker may be running it: its heartbeat decides.
    await sync.failAbandoned(db.kind === 'pglite' ? 0 : undefined);
    // Workers close first, together, so that active jobs finish (or are released) before connections
    // go; running syncs are aborted (they end failed, applying nothing more).
    closers.unshift(async () => {
      sync.abortAll('aborted: idsync is shutting down');
      await Promise.all([closeWorker(worker, 7000, logger), closeWorker(syncWorker, 7000, logger)]);
    });
  }

  if (options.roles.worker) {
    const timings = options.lifecycleTimings ?? {};
    const lifecycleWorker = startLifecycleWorker({ connection: redis, prefix, db, settings: lifecycleSettings(config), now, logger, onSwept: (result) => recordSweep(metrics, result) });
    const webhookWorker = startWebhookWorker({
      connection: redis,
      prefix,
      secret: (name) => options.env[name],
      logger,
      onAttempt: (target, outcome) => metrics.webhookDeliveries.inc({ target, outcome }),
    });
    const relay = startOutboxRelay({
      db,
      queue: webhooksQueue,
      targets: webhookTargets(config.webhooks),
      intervalMs: timings.relayIntervalMs,
      attempts: timings.webhookAttempts,
      backoffMs: timings.webhookBackoffMs,
      logger,
    });
    workers.push(lifecycleWorker, webhookWorker);
    closers.unshift(async () => {
      await relay.stop();
      await Promise.all([closeWorker(lifecycleWorker, 7000, logger), closeWorker(webhookWorker, 7000, logger)]);
    });
  }

  if (options.roles.scheduler) await sync.schedule();
  if (options.roles.scheduler) await scheduleLifecycleSweeps(lifecycleQueue, options.lifecycleTimings?.sweepEveryMs);
  if (options.roles.scheduler) {
    // Redis restarted without its data (or flushed): queued changes and job schedulers are gone,
    // observed state is not. Every person is reconciled again and the schedulers re-armed.
    const watch = watchQueueData({
      redis: producerRedis,
      prefix,
      logger,
      onLost: async () => {
        const parked = await parkEveryone(db, 'recovery: Redis lost the queued changes');
        const runs = await failQueuedRuns(db);
        // A first start finds no marker either; only a store with people makes it news.
        if (parked + runs > 0) logger.warn({ people: parked, queuedRunsFailed: runs }, 'Redis has lost the queue data (restarted without persistence, flushed or replaced): reconciling every person, re-arming schedules');
        await sync.schedule();
        await scheduleLifecycleSweeps(lifecycleQueue, options.lifecycleTimings?.sweepEveryMs);
        for (let published = -1; published !== 0; ) published = await publisher.relay();
      },
    });
    await watch.check().catch((error: unknown) => logger.warn({ err: { message: (error as Error).message } }, 'queue data check failed; trying again'));
    closers.unshift(() => watch.stop());
  }

  let url: string | undefined;
  /** Listens, and on close stops accepting and lets open requests finish (they still use the store and Redis). */
  const serve = async (app: Express, inFlight: InFlightRequests, drained?: () => Promise<void>): Promise<string> => {
    let server: Server;
    try {
      server = await listen(app, { host: settings.host, port: settings.port, limits: options.httpLimits });
    } catch (error) {
      // Workers started above stop, and the store closes (releasing its data directory), before the error is told.
      await runClosers(closers, logger);
      throw error;
    }
    closers.unshift(async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (!(await inFlight.idle(3000))) logger.warn({ requests: inFlight.count }, 'requests still running at shutdown');
      server.closeAllConnections();
      await closed;
      await drained?.();
    });
    const address = server.address() as AddressInfo;
    return `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  };
  if (options.roles.http) {
    const inFlight = new InFlightRequests();
    const activity = new SourceActivityRecorder({ db, onError: (error) => logger.debug({ err: { message: (error as Error).message } }, 'source activity not recorded') });
    const requestLog = new RequestLogWriter({ db, logger });
    // The producer connection fails fast while Redis is away, so authentication never waits on the counter.
    const authFailures = new AuthFailureLimiter({ redis: producerRedis, prefix, trustProxy: config.http.trustProxy, logger });
    const sourceTokens = scimTokens({ db, config, env: options.env, now });
    const app = createHttpApp({
      db,
      redis,
      queues,
      metrics,
      logger,
      adminToken: settings.adminToken,
      authFailures,
      now,
      apiRouters: [
        sourceRoutes({ db, config, sync }),
        ...adminApiRouters({ ...adminContext(db, config, now), relayChanges: () => publisher.relay(), tokenRevoked: (id) => sourceTokens.forget(id) }),
      ],
      mounts: [{ path: '/scim/v2', before: [scimRequestMetrics({ metrics, activity }), recordScimRequests(requestLog)], router: createScimServer({ db, ingest, tokens: sourceTokens, authFailures, logger }) }],
      sourcesHealth: healthOfSources,
      inFlight,
      console: createConsole({
        config: config.console,
        db,
        redis: producerRedis,
        prefix,
        env: options.env,
        logger,
        now,
        adminToken: settings.adminToken,
        daemonUrl: settings.daemonUrl,
        trustProxy: config.http.trustProxy,
        authFailures,
      }),
    });
    // The provisioning log is written once the last request has finished, before the store closes.
    url = await serve(app, inFlight, async () => void (await Promise.all([activity.idle(), requestLog.close()])));
  } else if (options.roles.worker) {
    // A worker's reconcile, sync, lifecycle and webhook metrics exist only in its own process.
    const inFlight = new InFlightRequests();
    url = await serve(createOpsApp({ db, redis, metrics, inFlight }), inFlight);
  }

  let closing: Promise<void> | undefined;
  return {
    db,
    sync,
    ingest,
    changes,
    queues,
    workers,
    url,
    close() {
      closing ??= runClosers(closers, logger);
      return closing;
    },
  };
}

/** Runs every closer in order; one that fails is logged and the next still runs. */
async function runClosers(closers: Array<() => Promise<unknown>>, logger: Logger): Promise<void> {
  for (const close of closers) {
    try {
      await close();
    } catch (error) {
      logger.warn({ err: { message: (error as Error).message } }, 'error while shutting down');
    }
  }
}

/**
 * Lets active jobs finish for up to `graceMs`, then cuts the worker's Redis connections: BullMQ
 * answers a second `close(true)` with the first, graceful close, so only failing the commands it
 * waits on ends it (seen after Redis restarted under a worker). Jobs cut off keep their locks until
 * these lapse; another worker then retries them. Shutdown never waits on a worker for long.
 */
async function closeWorker(worker: Worker, graceMs: number, logger: Logger): Promise<void> {
  const closed = worker.close();
  if (await settlesWithin(closed, graceMs)) return;
  logger.warn({ worker: worker.name }, 'worker did not stop in time; disconnecting it');
  const disconnected = worker.disconnect().catch(() => {});
  if (!(await settlesWithin(Promise.all([closed, disconnected]), 2000))) logger.warn({ worker: worker.name }, 'worker still closing; shutting down without it');
}
