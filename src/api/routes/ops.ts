import { Router } from 'express';
import type { RedisConnection } from '../../queue/redis.js';
import type { Db } from '../../store/db.js';
import type { Metrics } from '../metrics.js';

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz` (the process is up), `/readyz` (Redis and the database answer), `/metrics`. */
export function opsRoutes(options: { db: Db; redis: RedisConnection; metrics: Metrics }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [redis, database] = await Promise.allSettled([
      within(options.redis.ping(), 1000, 'Redis'),
      within(options.db.ping(), 1000, 'database'),
    ]);
    const checks = {
      redis: redis.status === 'fulfilled' ? 'ok' : `unavailable: ${(redis.reason as Error).message}`,
      database: database.status === 'fulfilled' ? 'ok' : `unavailable: ${(database.reason as Error).message}`,
    };
    const ready = redis.status === 'fulfilled' && database.status === 'fulfilled';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  router.get('/metrics', async (_req, res) => {
    try {
      const body = await within(options.metrics.registry.metrics(), 3000, 'metrics');
      res.type(options.metrics.registry.contentType).send(body);
    } catch (error) {
      res.status(503).type('text/plain').send(`# metrics unavailable: ${(error as Error).message}\n`);
    }
  });
  return router;
}
