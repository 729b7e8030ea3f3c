import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Queue } from 'bullmq';
import type { RedisConnection } from '../queue/redis.js';
import type { Logger } from 'pino';
import type { ConsoleMount } from '../console/index.js';
import { isAuthenticated } from '../console/session-auth.js';
import type { Db } from '../store/db.js';
import type { SourceHealthReport } from '../sync/sources-health.js';
import { adminAuth } from './auth.js';
import type { AuthFailureLimiter } from './auth-failure-limiter.js';
import { bullBoard } from './bull-board.js';
import { apiErrorHandler, apiNotFoundHandler } from './errors.js';
import type { InFlightRequests } from './in-flight.js';
import type { Metrics } from './metrics.js';
import { auditRoutes } from './routes/audit.js';
import { opsRoutes } from './routes/ops.js';
import { statusRoutes } from './routes/status.js';
import { workspaceReadRoutes } from './routes/workspaces.js';
import { SAFE_METHODS } from './safe-methods.js';

export interface HttpAppOptions {
  db: Db;
  redis: RedisConnection;
  queues: readonly Queue[];
  metrics: Metrics;
  logger: Logger;
  adminToken: string | undefined;
  /** Failed bearer attempts per client address (shared with the SCIM mount): over the limit → 429. */
  authFailures: AuthFailureLimiter;
  /** The clock tokens' expiry and last use are measured by. Default: the system clock. */
  now?: () => Date;
  /** Further admin-API routers mounted under `/api/v1`, behind the same auth. */
  apiRouters?: Router[];
  /** Counts requests in flight, so shutdown can wait for them. */
  inFlight?: InFlightRequests;
  /**
   * Other mounts, such as the SCIM server at `/scim/v2` (each brings its own auth and errors), with
   * the handlers that run before it at the same path (its request metrics).
   */
  mounts?: Array<{ path: string; router: Router; before?: RequestHandler[] }>;
  /** Every configured source's health, for `GET /api/v1/status`. */
  sourcesHealth?: () => Promise<SourceHealthReport[]>;
  /** The web console at `/console/`; its sessions also authenticate `/api/v1` requests without a bearer token. */
  console?: ConsoleMount;
}

/** A request slower than this is logged at `info`; others only at `debug`. */
const SLOW_REQUEST_MS = 1000;

export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  if (options.inFlight) app.use(options.inFlight.middleware);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const path = req.originalUrl.split('?')[0] ?? req.path;
      if (path === '/healthz' || path === '/metrics') return;
      // Every request at debug (LOG_LEVEL=debug is the access log); at info only what an operator
      // acts on: server errors, slow requests, and changes made through the admin API.
      const level = res.statusCode >= 500 ? 'warn' : ms >= SLOW_REQUEST_MS || (path.startsWith('/api/') && !SAFE_METHODS.has(req.method) && res.statusCode < 400) ? 'info' : 'debug';
      if (!options.logger.isLevelEnabled(level)) return;
      // Never the query string or headers: tokens and filters with personal data stay out of the logs.
      options.logger[level]({ method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  });

  // First the mounts (SCIM): they take the most requests, and express tries each layer in order.
  for (const mount of options.mounts ?? []) app.use(mount.path, ...(mount.before ?? []), mount.router);

  app.use(opsRoutes({ db: options.db, redis: options.redis, metrics: options.metrics }));

  const board = bullBoard({ queues: options.queues, basePath: '/admin/queues', adminToken: options.adminToken });
  app.use('/admin/queues', board.auth, board.router);

  const api = express.Router();
  // Authenticated before any body is read: a client without a token cannot make the server read
  // and parse up to a megabyte of JSON per request.
  const bearerAuth = adminAuth({ db: options.db, adminToken: options.adminToken, now: options.now ?? (() => new Date()), authFailures: options.authFailures });
  if (options.console) api.use(options.console.sessionAuth);
  api.use((req, res, next) => (isAuthenticated(req) ? next() : bearerAuth(req, res, next)));
  api.use(express.json({ limit: '1mb' }));
  api.use(workspaceReadRoutes(options.db));
  api.use(auditRoutes(options.db));
  api.use(statusRoutes({ db: options.db, queues: options.queues, sourcesHealth: options.sourcesHealth }));
  for (const router of options.apiRouters ?? []) api.use(router);
  api.use(apiNotFoundHandler());
  api.use(apiErrorHandler(options.logger));
  app.use('/api/v1', api);
  if (options.console) app.use('/console', options.console.router);

  app.use((req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: `no such endpoint: ${req.method} ${req.path}` } });
  });
  return app;
}
