import { Redis } from 'ioredis';
import { redactUrl } from '../config/env.js';

export class RedisUnavailableError extends Error {
  readonly code = 'REDIS_UNAVAILABLE';
  constructor(url: string, cause: unknown) {
    super(`cannot reach Redis at REDIS_URL=${redactUrl(url)}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'RedisUnavailableError';
  }
}

/** A connection BullMQ can block on (workers need `maxRetriesPerRequest: null`). */
export function createRedis(url: string, options: { lazy?: boolean } = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: options.lazy ?? false });
}

/**
 * A connection for producers: while Redis is unreachable, commands fail at once instead of waiting
 * in an offline queue, so a write path never hangs on the queue (ingest parks its changes instead).
 */
export async function createProducerRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  redis.on('error', () => {});
  await redis.connect();
  return redis;
}

/** Resolves once Redis answers PING, or throws a `RedisUnavailableError` naming REDIS_URL. */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new RedisUnavailableError(url, error);
  } finally {
    probe.disconnect();
  }
}
