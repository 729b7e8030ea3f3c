import type { Logger } from 'pino';
import { adminContext } from '../admin/context.js';
import { adminApiRouters } from '../api/admin-routes.js';
import { AuthFailureLimiter } from '../api/auth-failure-limiter.js';
import { createHttpApp } from '../api/http-app.js';
import { InFlightRequests } from '../api/in-flight.js';
import type { HttpLimits } from '../api/listen.js';
import { createOpsApp } from '../api/ops-app.js';
import { sourceRoutes } from '../api/routes/sources.js';
import { scimRequestMetrics } from '../api/scim-request-metrics.js';
import { SourceActivityRecorder } from '../api/source-activity-recorder.js';
import type { Env, Settings } from '../config/env.js';
import type { Config } from '../config/schema.js';
import { createConsole } from '../console/index.js';
import type { DurablePublisher } from '../ingest/durable-publisher.js';
import type { Ingest } from '../ingest/ingest.js';
import { TokenRevocations } from '../queue/token-revocations.js';
import { createScimServer, recordScimRequests, RequestLogWriter, scimTokens } from '../scim/index.js';
import type { Db } from '../store/db.js';
import type { SyncService } from '../sync/sync-service.js';
import type { Closers } from './closers.js';
import type { DaemonMetrics } from './daemon-metrics.js';
import type { DaemonQueues } from './queues.js';
import { serve } from './serve.js';

export interface HttpParts {
  settings: Settings;
  config: Config;
  env: Env;
  now: () => Date;
  logger: Logger;
  db: Db;
  queues: DaemonQueues;
  metrics: DaemonMetrics;
  sync: SyncService;
  ingest: Ingest;
  publisher: DurablePublisher;
  closers: Closers;
  httpLimits: Partial<HttpLimits> | undefined;
}

/** The HTTP role: SCIM server, admin API, console and ops endpoints. Returns its URL. */
export async function startHttp(parts: HttpParts): Promise<string> {
  const { settings, config, env, now, logger, db, queues, metrics, sync, ingest, publisher } = parts;
  const inFlight = new InFlightRequests();
  const activity = new SourceActivityRecorder({ db, onError: (error) => logger.debug({ err: error }, 'source activity not recorded') });
  const requestLog = new RequestLogWriter({ db, logger });
  // The producer connection fails fast while Redis is away, so authentication never waits on the counter.
  const authFailures = new AuthFailureLimiter({ redis: queues.producerRedis, prefix: queues.prefix, trustProxy: config.http.trustProxy, logger });
  // Every serving process forgets a revoked SCIM token at once, whichever process revoked it.
  const revocations = TokenRevocations.start({ url: settings.redisUrl, prefix: queues.prefix, publisher: queues.producerRedis, logger, onRevoked: (id) => sourceTokens.forget(id) });
  parts.closers.first(() => revocations.close());
  const sourceTokens = scimTokens({ db, config, env, now, revocations });
  const app = createHttpApp({
    db,
    redis: queues.redis,
    queues: queues.all,
    metrics: metrics.metrics,
    logger,
    adminToken: settings.adminToken,
    authFailures,
    now,
    apiRouters: [
      sourceRoutes({ db, config, sync }),
      ...adminApiRouters({ ...adminContext(db, config, now), relayChanges: () => publisher.relayAll(), tokenRevoked: (id) => revocations.revoked(id) }),
    ],
    mounts: [{ path: '/scim/v2', before: [scimRequestMetrics({ metrics: metrics.metrics, activity }), recordScimRequests(requestLog)], router: createScimServer({ db, ingest, tokens: sourceTokens, authFailures, logger }) }],
    sourcesHealth: metrics.healthOfSources,
    inFlight,
    console: createConsole({
      config: config.console,
      db,
      redis: queues.producerRedis,
      prefix: queues.prefix,
      env,
      logger,
      now,
      adminToken: settings.adminToken,
      daemonUrl: settings.daemonUrl,
      trustProxy: config.http.trustProxy,
      authFailures,
    }),
  });
  // The provisioning log is written once the last request has finished, before the store closes.
  const drained = async () => void (await Promise.all([activity.idle(), requestLog.close()]));
  return serve(app, { settings, httpLimits: parts.httpLimits, logger, closers: parts.closers, inFlight, drained });
}

/** A worker without the HTTP role still serves `/healthz`, `/readyz` and its own `/metrics`: its reconcile, sync, lifecycle and webhook metrics exist only in its process. */
export async function startOpsHttp(parts: Pick<HttpParts, 'settings' | 'logger' | 'db' | 'queues' | 'metrics' | 'closers' | 'httpLimits'>): Promise<string> {
  const { settings, httpLimits, logger, closers, db, queues, metrics } = parts;
  const inFlight = new InFlightRequests();
  return serve(createOpsApp({ db, redis: queues.redis, metrics: metrics.metrics, inFlight }), { settings, httpLimits, logger, closers, inFlight });
}
