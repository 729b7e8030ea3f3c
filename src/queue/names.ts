export const QUEUE_NAMES = {
  changes: 'changes',
  sync: 'sync',
  lifecycle: 'lifecycle',
  webhooks: 'webhooks',
} as const;

/**
 * The BullMQ key prefix. Wrapped in a hash tag (`{idsync}`) so that on Redis Cluster every key of
 * every queue shares one slot, as BullMQ's Lua scripts require.
 */
export function bullPrefix(queuePrefix: string): string {
  return queuePrefix.includes('{') ? queuePrefix : `{${queuePrefix}}`;
}
