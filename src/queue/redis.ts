import { Cluster, Redis, type ClusterOptions } from 'ioredis';
import { redactUrl } from '../config/env.js';
import { IdsyncError } from '../errors.js';
import { parseRedisUrl, type RedisTarget } from './redis-target.js';

/** One Redis server or a Redis Cluster, whichever `REDIS_URL` names: BullMQ and idsync use either. */
export type RedisConnection = Redis | Cluster;

export class RedisUnavailableError extends IdsyncError<'redis_unavailable'> {
  constructor(url: string, cause: unknown) {
    super('redis_unavailable', `cannot reach Redis at REDIS_URL=${redactUrl(url)}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

type Target = Extract<RedisTarget, { kind: 'cluster' }>;

/**
 * Options every cluster connection shares. Commands that meet a failover (MOVED, CLUSTERDOWN,
 * TRYAGAIN while slots move to a promoted replica) are retried after a pause rather than failed.
 */
function clusterOptions(target: Target, options: ClusterOptions): ClusterOptions {
  return {
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 200,
    // Cloud clusters with TLS announce names whose certificates match the names, not their addresses.
    ...(target.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    ...options,
    redisOptions: {
      username: target.username,
      password: target.password,
      ...(target.tls ? { tls: {} } : {}),
      ...options.redisOptions,
    },
  };
}

/** A connection BullMQ can block on (workers need `maxRetriesPerRequest: null`). */
export function createRedis(url: string, options: { lazy?: boolean } = {}): RedisConnection {
  const target = parseRedisUrl(url);
  const lazyConnect = options.lazy ?? false;
  if (target.kind === 'server') return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect });
  return new Cluster(target.nodes, clusterOptions(target, { enableReadyCheck: true, lazyConnect, redisOptions: { maxRetriesPerRequest: null } }));
}

/**
 * A connection for producers: while Redis is unreachable, commands fail at once instead of waiting
 * in an offline queue, so a write path never hangs on the queue (ingest parks its changes instead).
 */
export async function createProducerRedis(url: string): Promise<RedisConnection> {
  const target = parseRedisUrl(url);
  const redis =
    target.kind === 'server'
      ? new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true })
      : new Cluster(target.nodes, clusterOptions(target, { enableOfflineQueue: false, lazyConnect: true, redisOptions: { maxRetriesPerRequest: 1 } }));
  redis.on('error', () => {});
  await redis.connect();
  return redis;
}

/** Resolves once Redis answers PING, or throws a `RedisUnavailableError` naming REDIS_URL. */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<void> {
  const target = parseRedisUrl(url);
  const probe =
    target.kind === 'server'
      ? new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null })
      : new Cluster(target.nodes, clusterOptions(target, { lazyConnect: true, clusterRetryStrategy: () => null, redisOptions: { maxRetriesPerRequest: 0, connectTimeout: timeoutMs } }));
  // A cluster client that finds no usable node says only that; the error it emitted before says why
  // (refused, or "cluster support disabled" when the URL names a plain server).
  let emitted: Error | undefined;
  probe.on('error', (error: Error) => {
    emitted = error;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    // A cluster is ready once a node has told it the slots and reports `cluster_state:ok`.
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([probe.connect().then(() => probe.ping()), timedOut]);
  } catch (error) {
    const message = (error as Error)?.message;
    const why = (emitted as { lastNodeError?: Error } | undefined)?.lastNodeError?.message ?? emitted?.message;
    throw new RedisUnavailableError(url, why && why !== message ? new Error(`${message} (${why})`, { cause: error }) : error);
  } finally {
    clearTimeout(timer);
    probe.disconnect();
  }
}
