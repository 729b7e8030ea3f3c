import type { IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../test/helpers/redis.js';
import { freePort } from '../../test/helpers/process.js';
import { createLogger } from '../log.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';

const from = (address: string) => ({ socket: { remoteAddress: address }, headers: {} }) as unknown as IncomingMessage;

function capturedLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({ write(chunk, _e, done) { lines.push(JSON.parse(String(chunk)) as { level: number; msg: string }); done(); } });
  return { logger: createLogger({ destination: sink }), lines };
}

describe('AuthFailureLimiter', () => {
  const redis = testRedis();
  const prefix = uniquePrefix('authfail');
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('lets 10 failures from an address through, then answers with the seconds left in its minute; other addresses are not affected', async () => {
    const limiter = new AuthFailureLimiter({ redis, prefix, trustProxy: false, logger: capturedLogger().logger });
    for (let i = 1; i <= 10; i++) expect(await limiter.recordFailure(from('192.0.2.1')), `failure ${i}`).toBeUndefined();
    const retryAfter = await limiter.recordFailure(from('192.0.2.1'));
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limiter.recordFailure(from('192.0.2.1'))).toBeGreaterThan(0);
    expect(await limiter.recordFailure(from('192.0.2.2'))).toBeUndefined();
    // The counter lives in Redis under the prefix, with the window as its TTL: no key outlives it.
    const ttl = await redis.pttl(`${prefix}:auth-failures:192.0.2.1`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('counts across instances (processes) sharing Redis, and starts afresh when the window ends', async () => {
    const options = { redis, prefix, trustProxy: false, windowMs: 1500, logger: capturedLogger().logger };
    const a = new AuthFailureLimiter(options);
    const b = new AuthFailureLimiter(options);
    for (let i = 0; i < 5; i++) expect(await a.recordFailure(from('198.51.100.9'))).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(await b.recordFailure(from('198.51.100.9'))).toBeUndefined();
    expect(await a.recordFailure(from('198.51.100.9'))).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await b.recordFailure(from('198.51.100.9'))).toBeUndefined();
  });

  it('fails open when Redis is down or does not answer: no limit, one warning a minute', async () => {
    const dead = new Redis(`redis://127.0.0.1:${await freePort()}`, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
    dead.on('error', () => {});
    const down = capturedLogger();
    const limiter = new AuthFailureLimiter({ redis: dead, prefix, trustProxy: false, logger: down.logger });
    for (let i = 0; i < 12; i++) expect(await limiter.recordFailure(from('192.0.2.50'))).toBeUndefined();
    expect(down.lines.filter((l) => l.level === 40)).toHaveLength(1);
    expect(down.lines[0]?.msg).toMatch(/not being counted/);
    dead.disconnect();

    // A Redis that accepts the connection and never answers: each count gives up after timeoutMs.
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    const port = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)));
    const hung = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: null });
    hung.on('error', () => {});
    const slow = capturedLogger();
    const hungLimiter = new AuthFailureLimiter({ redis: hung, prefix, trustProxy: false, logger: slow.logger, timeoutMs: 100 });
    const started = Date.now();
    for (let i = 0; i < 12; i++) expect(await hungLimiter.recordFailure(from('192.0.2.51'))).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(12 * 100 + 1000);
    expect(slow.lines.filter((l) => l.level === 40)).toHaveLength(1);
    hung.disconnect();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });
});
