import express, { type Express } from 'express';
import type { RedisConnection } from '../queue/redis.js';
import type { Db } from '../store/db.js';
import type { InFlightRequests } from './in-flight.js';
import type { Metrics } from './metrics.js';
import { opsRoutes } from './routes/ops.js';

/**
 * What a process without the HTTP role (`idsync worker`) serves: `/healthz`, `/readyz` and
 * `/metrics` only. Its reconcile, sync, lifecycle and webhook metrics exist nowhere else.
 */
export function createOpsApp(options: { db: Db; redis: RedisConnection; metrics: Metrics; inFlight?: InFlightRequests }): Express {
  const app = express();
  app.disable('x-powered-by');
  if (options.inFlight) app.use(options.inFlight.middleware);
  app.use(opsRoutes(options));
  app.use((req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: `a worker serves only /healthz, /readyz and /metrics, not ${req.method} ${req.path}` } });
  });
  return app;
}
