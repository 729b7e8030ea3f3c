/**
 * A SCIM token revoked through one serving process is refused by another from its very next request,
 * with a warm cache and a frozen clock (so the cache time never runs out); and a process whose
 * subscription is not established caches nothing. Real Redis, one store, separate connections.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestStore, type TestStore } from '../../test/helpers/db.js';
import { deletePrefix, TEST_REDIS_URL, testRedis, uniquePrefix } from '../../test/helpers/redis.js';
import { hashToken } from '../domain/secret-tokens.js';
import { SourceTokens } from '../scim/http/source-tokens.js';
import type { Queryable } from '../store/db.js';
import { insertSourceToken, revokeToken } from '../store/tokens/api-tokens.js';
import { createProducerRedis, type RedisConnection } from './redis.js';
import { TokenRevocations } from './token-revocations.js';

const logger = pino({ level: 'silent' });
const prefix = `{${uniquePrefix('revocations')}}`;
const at = new Date('2026-03-01T12:00:00Z');

/** One serving process: its own connections, its own token cache, and the lookups it made. */
interface Process {
  tokens: SourceTokens;
  revocations: TokenRevocations;
  publisher: RedisConnection;
  heard: string[];
  lookups: () => number;
}

describe('token revocations across serving processes', () => {
  let store: TestStore;
  const processes: Process[] = [];

  beforeAll(async () => {
    store = await openTestStore('pglite');
    await store.db.query(`insert into sources (id, kind) values ('idp', 'scim')`);
  });
  afterAll(async () => {
    for (const p of processes) {
      await p.revocations.close();
      await p.publisher.quit();
    }
    const redis = testRedis();
    await deletePrefix(redis, prefix);
    await redis.quit();
    await store?.close();
  });

  async function serving(url = TEST_REDIS_URL): Promise<Process> {
    let queries = 0;
    const db: Queryable = { query: (text, params) => (queries++, store.db.query(text, params)) };
    const publisher = await createProducerRedis(TEST_REDIS_URL);
    const heard: string[] = [];
    let tokens: SourceTokens | undefined;
    const revocations = TokenRevocations.start({ url, prefix, publisher, logger, onRevoked: (id) => (heard.push(id), tokens?.forget(id)) });
    tokens = new SourceTokens({ db, configured: [], now: () => at, revocations });
    const p: Process = { tokens, revocations, publisher, heard, lookups: () => queries };
    processes.push(p);
    return p;
  }

  async function stored(secret: string): Promise<string> {
    const r = await insertSourceToken(store.db, { hash: hashToken(secret), sourceId: 'idp', createdAt: at, expiresAt: null });
    if (!r.issued) throw new Error(r.reason);
    return r.token.id;
  }

  it('a token revoked through one process is refused by another at its very next request', async () => {
    const [a, b] = [await serving(), await serving()] as [Process, Process];
    await vi.waitFor(() => expect([a.revocations.session, b.revocations.session]).not.toContain(undefined), { timeout: 5000 });
    const id = await stored('shared-idp-token');

    expect(await b.tokens.sourceOf('shared-idp-token')).toBe('idp');
    const warm = b.lookups();
    expect(await b.tokens.sourceOf('shared-idp-token')).toBe('idp');
    expect(b.lookups(), 'answered from the cache').toBe(warm);

    // As the admin API does: store the revocation, then tell every process.
    await revokeToken(store.db, id, { at });
    await a.revocations.revoked(id);
    expect(await a.tokens.sourceOf('shared-idp-token')).toBeUndefined();
    // The message takes a moment to cross Redis (given up to 1 s, heard or not); the clock is
    // frozen, so B's cache has not expired: only the message can make B refuse the token.
    await vi.waitFor(() => expect(b.heard).toContain(id), { timeout: 1000, interval: 5 }).catch(() => undefined);
    expect(await b.tokens.sourceOf('shared-idp-token')).toBeUndefined();
    expect(b.lookups(), 'B looked the token up again').toBeGreaterThan(warm);
  });

  it('when its connection drops, stops trusting what it cached until subscribed again, and then only what it finds anew', async () => {
    const redis = testRedis();
    const subscribers = async () => new Set(((await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string).split('\n').filter(Boolean).map((line) => /\bid=(\d+)/.exec(line)?.[1]));
    const before = await subscribers();
    const c = await serving();
    await vi.waitFor(() => expect(c.revocations.session).toBeDefined(), { timeout: 5000 });
    const first = c.revocations.session;
    const mine = [...(await subscribers())].filter((id) => !before.has(id));
    expect(mine, 'the one subscriber connection this process opened').toHaveLength(1);

    await stored('reconnecting-token');
    expect(await c.tokens.sourceOf('reconnecting-token')).toBe('idp');
    const warm = c.lookups();
    expect(await c.tokens.sourceOf('reconnecting-token')).toBe('idp');
    expect(c.lookups(), 'cached').toBe(warm);

    await redis.client('KILL', 'ID', mine[0] as string);
    await vi.waitFor(() => expect(c.revocations.session).toBeUndefined(), { timeout: 2000, interval: 5 });
    expect(await c.tokens.sourceOf('reconnecting-token')).toBe('idp');
    expect(c.lookups(), 'disconnected: looked up').toBeGreaterThan(warm);

    await vi.waitFor(() => expect(c.revocations.session).toBeDefined(), { timeout: 5000 });
    expect(c.revocations.session).not.toBe(first);
    const resumed = c.lookups();
    expect(await c.tokens.sourceOf('reconnecting-token')).toBe('idp');
    expect(c.lookups(), 'subscribed again: nothing from before the break is trusted').toBeGreaterThan(resumed);
    const again = c.lookups();
    expect(await c.tokens.sourceOf('reconnecting-token')).toBe('idp');
    expect(c.lookups(), 'and what it finds now is cached').toBe(again);
    redis.disconnect();
  });

  it('caches nothing while its subscription is not established', async () => {
    const cut = await serving('redis://127.0.0.1:1'); // nothing listens there: never subscribed
    expect(cut.revocations.session).toBeUndefined();
    const id = await stored('uncached-token');

    expect(await cut.tokens.sourceOf('uncached-token')).toBe('idp');
    const afterFirst = cut.lookups();
    expect(await cut.tokens.sourceOf('uncached-token')).toBe('idp');
    expect(cut.lookups(), 'looked up again, not answered from a cache').toBeGreaterThan(afterFirst);
    await revokeToken(store.db, id, { at });
    expect(await cut.tokens.sourceOf('uncached-token')).toBeUndefined();
  });
});
