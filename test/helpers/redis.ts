import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import type { RedisConnection } from '../../src/queue/redis.js';

export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A queue prefix no other test file uses, so queues never meet. */
export function uniquePrefix(label = 't'): string {
  return `idsync-test-${label}-${randomBytes(5).toString('hex')}`;
}

export function testRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
}

/**
 * Deletes every key under `prefix` (run after a test file closes its queues), whether the queues
 * used it as given or wrapped in a hash tag (`{prefix}`, as the daemon does). On a Redis Cluster,
 * every master is scanned, and keys are deleted one by one (they may lie in different slots).
 */
export async function deletePrefix(redis: RedisConnection, prefix: string): Promise<void> {
  const prefixes = prefix.startsWith('{') ? [prefix] : [prefix, `{${prefix}}`];
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    for (const p of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${p}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length === 0) continue;
        if (redis instanceof Cluster) await Promise.all(keys.map((key) => node.del(key)));
        else await node.del(...keys);
      } while (cursor !== '0');
    }
  }
}
