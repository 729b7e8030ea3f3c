import { describe, expect, it } from 'vitest';
import { freePort } from '../../test/helpers/process.js';
import { TEST_REDIS_URL } from '../../test/helpers/redis.js';
import { checkRedis, RedisUnavailableError } from './redis.js';

describe('checkRedis', () => {
  it('a cluster none of whose nodes answers: one error naming REDIS_URL without its password, at once', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const url = `redis+cluster://:hunter2@127.0.0.1:${a},127.0.0.1:${b}`;
    const started = Date.now();
    const error = await checkRedis(url, 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as Error).message).toContain(`cannot reach Redis at REDIS_URL=`);
    expect((error as Error).message).toContain(`127.0.0.1:${a},127.0.0.1:${b}`);
    expect((error as Error).message).not.toContain('hunter2');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a cluster URL naming a plain Redis server: says so', async () => {
    const server = new URL(TEST_REDIS_URL);
    const error = await checkRedis(`redis+cluster://${server.hostname}:${server.port || 6379}`, 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as Error).message).toContain('cluster support disabled');
  });
});
