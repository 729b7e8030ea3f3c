import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '../../test/helpers/redis.js';
import { SessionStore } from './session-store.js';

describe('console sessions in Redis', () => {
  const redis = testRedis();
  const prefix = `{${uniquePrefix('sessions')}}`;
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });
  const identity = { kind: 'person' as const, personId: '00000000-0000-4000-8000-000000000001', email: 'ada@example.com', via: 'oidc' as const };

  it('a session opened by one process is found by another with the same secret, not with another secret; sign-out ends it for both', async () => {
    const a = new SessionStore({ redis, prefix, secret: 's1' });
    const b = new SessionStore({ redis, prefix, secret: 's1' });
    const other = new SessionStore({ redis, prefix, secret: 's2' });
    const { id, session } = await a.create(identity);
    expect(session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await b.use(id)).toMatchObject({ identity, csrfToken: session.csrfToken });
    expect(await other.use(id)).toBeUndefined();
    // Redis holds the keyed hash of the id, never the id itself.
    const keys = await redis.keys(`${prefix}:console:session:*`);
    expect(keys.some((k) => k.includes(id))).toBe(false);
    await b.destroy(id);
    expect(await a.use(id)).toBeUndefined();
  });

  it('ends after the idle time without use, and is renewed by use until the absolute limit', async () => {
    let now = Date.now();
    const store = new SessionStore({ redis, prefix, secret: undefined, idleMs: 400, absoluteMs: 1500, now: () => now });
    const idle = await store.create(identity);
    await new Promise((r) => setTimeout(r, 600));
    expect(await store.use(idle.id)).toBeUndefined();

    const busy = await store.create(identity);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 250));
      expect(await store.use(busy.id)).toBeDefined();
    }
    now += 1500;
    expect(await store.use(busy.id)).toBeUndefined();
    expect(await redis.keys(`${prefix}:console:session:*`)).toEqual([]);
  });

  it('a sign-in flow record is taken once', async () => {
    const store = new SessionStore({ redis, prefix, secret: 's1' });
    const flowId = 'f'.repeat(43);
    await store.putFlow(flowId, { state: 'x' }, 10_000);
    expect(await store.takeFlow(flowId)).toEqual({ state: 'x' });
    expect(await store.takeFlow(flowId)).toBeUndefined();
  });
});
