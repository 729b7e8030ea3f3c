import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Settings } from '../config/env.js';
import { ChangeQueue } from '../queue/change-queue.js';
import { bullPrefix, QUEUE_NAMES } from '../queue/names.js';
import { createProducerRedis, createRedis, type RedisConnection } from '../queue/redis.js';
import type { Closers } from './closers.js';

/** The daemon's Redis connections and queues. */
export interface DaemonQueues {
  prefix: string;
  /** Shared by queues and workers; BullMQ's blocking commands wait on it. */
  redis: RedisConnection;
  /** Fails fast while Redis is away, so that requests never wait on it. */
  producerRedis: RedisConnection;
  changes: ChangeQueue;
  sync: Queue;
  lifecycle: Queue;
  webhooks: Queue;
  /** Every queue above, for metrics, the dashboard and readiness. */
  all: Queue[];
}

/** Connects to Redis and opens the queues; they close after the workers that use them. */
export async function connectQueues({ settings, logger, closers }: { settings: Settings; logger: Logger; closers: Closers }): Promise<DaemonQueues> {
  const prefix = bullPrefix(settings.queuePrefix);
  const redis = createRedis(settings.redisUrl);
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  closers.first(() => redis.quit().catch(() => redis.disconnect()));

  const producerRedis = await createProducerRedis(settings.redisUrl);
  closers.first(() => producerRedis.quit().catch(() => producerRedis.disconnect()));
  const changes = new ChangeQueue({ connection: producerRedis, prefix });
  const sync = new Queue(QUEUE_NAMES.sync, { connection: redis, prefix });
  const lifecycle = new Queue(QUEUE_NAMES.lifecycle, { connection: redis, prefix });
  const webhooks = new Queue(QUEUE_NAMES.webhooks, { connection: redis, prefix });
  const all: Queue[] = [changes.queue, sync, lifecycle, webhooks];
  for (const q of all) q.on('error', (error) => logger.warn({ queue: q.name, err: error }, 'queue error'));
  closers.first(() => Promise.all(all.map((q) => q.close())));
  return { prefix, redis, producerRedis, changes, sync, lifecycle, webhooks, all };
}
