import { QueueEvents } from 'bullmq';
import type { RedisConnection } from '../../../src/queue/redis.js';
import { bullPrefix, QUEUE_NAMES } from '../../../src/queue/names.js';

/** Counts the change jobs BullMQ finds stalled (their worker died holding them) and puts back to wait. */
export async function watchStalled(redis: { connect(): RedisConnection }, queuePrefix: string): Promise<{ count(): number; close(): Promise<void> }> {
  const events = new QueueEvents(QUEUE_NAMES.changes, { connection: redis.connect(), prefix: bullPrefix(queuePrefix) });
  events.on('error', () => {});
  let stalled = 0;
  events.on('stalled', () => stalled++);
  await events.waitUntilReady();
  return { count: () => stalled, close: () => events.close() };
}
