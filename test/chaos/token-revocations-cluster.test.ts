/**
 * Token revocations over a `redis+cluster://` URL: two processes' subscriptions are established
 * through the cluster client, and a revocation published by one reaches the other (a cluster
 * forwards a PUBLISH to every node, whichever node each subscriber sits on).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { uniquePrefix } from '../helpers/redis.js';
import { bullPrefix } from '../../src/queue/names.js';
import { createProducerRedis, type RedisConnection } from '../../src/queue/redis.js';
import { TokenRevocations } from '../../src/queue/token-revocations.js';
import { RedisClusterServer } from './harness/redis-cluster.js';

describe('token revocations on a Redis Cluster', () => {
  let cluster: RedisClusterServer;
  let publisher: RedisConnection | undefined;
  const opened: TokenRevocations[] = [];

  beforeAll(async () => {
    cluster = await RedisClusterServer.create();
  }, 60_000);
  afterAll(async () => {
    for (const revocations of opened) await revocations.close();
    publisher?.disconnect();
    await cluster?.destroy();
  }, 60_000);

  it('a revocation published by one process is heard by the other', async () => {
    const logger = pino({ level: 'silent' });
    const prefix = bullPrefix(uniquePrefix('revoke-cluster'));
    publisher = await createProducerRedis(cluster.url);
    const heard: Record<'a' | 'b', string[]> = { a: [], b: [] };
    const start = (name: 'a' | 'b') => {
      const revocations = TokenRevocations.start({ url: cluster.url, prefix, publisher: publisher as RedisConnection, logger, onRevoked: (id) => heard[name].push(id) });
      opened.push(revocations);
      return revocations;
    };
    const [a, b] = [start('a'), start('b')];
    await vi.waitFor(() => expect([a.session, b.session]).not.toContain(undefined), { timeout: 10_000 });

    await a.revoked('token-1');
    await vi.waitFor(() => expect(heard.b).toEqual(['token-1']), { timeout: 2000 });
    expect(heard.a).toContain('token-1');
  }, 60_000);
});
