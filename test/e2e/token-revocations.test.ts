/**
 * Two `serve` processes on one PostgreSQL and one Redis, each with its own connections and a frozen
 * clock (so no token cache ever expires): a SCIM token revoked through one process's admin API is
 * refused by the other from its next request, although the other has it cached.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Daemon } from '../../src/main.js';
import { bullPrefix } from '../../src/queue/names.js';
import { revocationChannel } from '../../src/queue/token-revocations.js';
import { revokeToken } from '../../src/store/tokens/api-tokens.js';
import { openTestStore, type TestStore } from '../helpers/db.js';
import { httpRequest } from '../helpers/http-request.js';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis.js';
import { serveHttpOnly } from '../helpers/serve-daemon.js';

const ADMIN = 'admin-token-for-revocation-tests';
const CONFIG = { sources: [{ id: 'hr', kind: 'scim' }] };
const FROZEN = new Date('2026-03-01T12:00:00Z');

/** Each process with its own connections, and a clock no test moves: a cached token never expires. */
const serve = (store: TestStore, prefix: string) => serveHttpOnly(store, { prefix, adminToken: ADMIN, config: CONFIG, ownDb: true });

describe('a token revoked through one serve process', () => {
  let store: TestStore;
  let a: Awaited<ReturnType<typeof serve>>;
  let b: Awaited<ReturnType<typeof serve>>;
  const prefix = uniquePrefix('revoke2');
  const redis = testRedis();

  beforeAll(async () => {
    store = await openTestStore('postgres');
    a = await serve(store, prefix);
    b = await serve(store, prefix);
    // Both processes subscribed (until then they cache nothing).
    const channel = revocationChannel(bullPrefix(prefix));
    await vi.waitFor(async () => expect(await redis.pubsub('NUMSUB', channel)).toEqual([channel, 2]), { timeout: 5000 });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await store?.close();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  const scim = (daemon: Daemon, token: string) => httpRequest(`${daemon.url}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${token}` } });
  const api = (daemon: Daemon, method: string, path: string, body?: unknown) =>
    httpRequest(`${daemon.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const create = async () => {
    const res = await api(a.daemon, 'POST', '/tokens', { source: 'hr' });
    expect(res.status, res.text).toBe(201);
    return res.json as { id: string; token: string };
  };

  it('is refused by the other at once, although the other has it cached', async () => {
    // B caches: a token revoked in the store behind every process's back still works there.
    const bypassed = await create();
    expect((await scim(b.daemon, bypassed.token)).status).toBe(200);
    await revokeToken(store.db, bypassed.id, { at: FROZEN });
    expect((await scim(b.daemon, bypassed.token)).status, 'B answers from its cache').toBe(200);

    const revoked = await create();
    expect((await scim(b.daemon, revoked.token)).status).toBe(200);
    expect((await api(a.daemon, 'DELETE', `/tokens/${revoked.id}`)).status).toBe(204);
    expect((await scim(a.daemon, revoked.token)).status).toBe(401);
    // The message crosses Redis in a moment; the clocks are frozen, so B's cache never expires.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await scim(b.daemon, revoked.token)).status).toBe(401);
  });
});
