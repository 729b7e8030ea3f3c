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
