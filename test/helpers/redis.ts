import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

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
 * used it as given or wrapped in a hash tag (`{prefix}`, as the daemon does).
 */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  const prefixes = prefix.startsWith('{') ? [prefix] : [prefix, `{${prefix}}`];
  for (const p of prefixes) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${p}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  }
}
