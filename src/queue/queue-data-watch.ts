import { randomBytes } from 'node:crypto';
import type { RedisConnection } from './redis.js';
import type { Logger } from 'pino';

/** Default time between two looks at the marker. */
const DEFAULT_WATCH_INTERVAL_MS = 5000;
/** How long one process may hold the recovery before another may take it over. */
const RECOVERY_LEASE_MS = 300_000;

export interface QueueDataWatchOptions {
  /** A connection that fails fast while Redis is away (the producer connection). */
  redis: RedisConnection;
  /** The queues' key prefix (hash-tagged, so the marker shares their Redis Cluster slot). */
  prefix: string;
  /** Runs when the marker is gone, in one process at a time; the marker is set again once it resolves. */
  onLost: () => Promise<void>;
  /** Time between two looks. Default 5000 ms; a reconnection looks at once. */
  intervalMs?: number;
  logger?: Logger;
}

export type WatchOutcome = 'present' | 'recovered' | 'recovering-elsewhere' | 'unreachable';

export interface QueueDataWatch {
  /** Looks once: sets the marker after `onLost` when it is gone. */
  check(): Promise<WatchOutcome>;
  stop(): Promise<void>;
}

/**
 * Notices that Redis lost the queues' data — restarted without persistence, flushed, failed over to
 * an empty replica — which leaves no trace in the queues themselves: jobs are simply gone. A marker
 * key is written next to the queues; it disappears with them. Whoever finds it missing takes a
 * lease, runs `onLost` (the daemon reconciles every person and re-arms its job schedulers), then
 * writes the marker again. The first start on an empty Redis looks the same, and recovers an empty
 * or already consistent store: harmless.
 */
export function watchQueueData(options: QueueDataWatchOptions): QueueDataWatch {
  const marker = `${options.prefix}:idsync:queue-data`;
  const lease = `${marker}:recovering`;
  let running: Promise<WatchOutcome> | undefined;

  const look = async (): Promise<WatchOutcome> => {
    try {
      if ((await options.redis.exists(marker)) === 1) return 'present';
    } catch {
      return 'unreachable';
    }
    const token = randomBytes(8).toString('hex');
    if ((await options.redis.set(lease, token, 'PX', RECOVERY_LEASE_MS, 'NX')) !== 'OK') return 'recovering-elsewhere';
    try {
      // Another process may have recovered between our look and our lease (it writes the marker
      // before it lets the lease go): look again under the lease, or we would recover twice.
      if ((await options.redis.exists(marker)) === 1) return 'present';
      await options.onLost();
      await options.redis.set(marker, JSON.stringify({ since: new Date().toISOString() }));
      return 'recovered';
    } finally {
      // Only this process's lease: one that lapsed and was taken over stays with its new holder.
      await options.redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`, 1, lease, token).catch(() => {});
    }
  };

  const check = (): Promise<WatchOutcome> => {
    running ??= look().finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = () => {
    check().catch((error: unknown) => options.logger?.warn({ err: error }, 'queue data check failed; trying again'));
  };

  const timer = setInterval(tick, options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS);
  timer.unref();
  options.redis.on('ready', tick);
  return {
    check,
    async stop() {
      clearInterval(timer);
      options.redis.off('ready', tick);
      // Only waits for a check in progress to end: its failure was logged by whoever started it.
      await running?.catch(() => {});
    },
  };
}
