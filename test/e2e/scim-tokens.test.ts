/**
 * SCIM source tokens end to end, on both stores: rotation (several live tokens and the config's
 * `tokenEnv` token at once), revocation and expiry through the admin API, last use; the
 * failed-authentication limit under /scim, shared with /api and across `serve` processes; and
 * `idsync tokens list | create | revoke` against the running daemon.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, STORE_KINDS, type StoreKind, type TestStore } from '../helpers/db.js';
import { httpRequest } from '../helpers/http-request.js';
import { runCli } from '../helpers/process.js';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis.js';
import { serveHttpOnly, type ServingDaemon } from '../helpers/serve-daemon.js';

const ADMIN = 'admin-token-for-scim-token-tests';
const ENV_TOKEN = 'hr-token-from-the-environment';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const CONFIG = { sources: [{ id: 'hr', kind: 'scim', tokenEnv: 'HR_TOKEN' }, { id: 'crm', kind: 'scim' }] };

type TokenView = { id: string; kind: string; subject: string; createdAt: string; lastUsedAt: string | null; expiresAt: string | null };

type Running = ServingDaemon;

const serve = (store: TestStore, prefix: string, options: { ownDb?: boolean } = {}): Promise<Running> =>
  serveHttpOnly(store, { prefix, adminToken: ADMIN, config: CONFIG, env: { HR_TOKEN: ENV_TOKEN }, ownDb: options.ownDb });

function clients(url: string) {
  const scim = (token: string | undefined, from = '127.0.0.1') =>
    httpRequest(`${url}/scim/v2/Users?count=1`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, localAddress: from });
  const api = (method: string, path: string, options: { token?: string; body?: unknown; from?: string } = {}) =>
    httpRequest(`${url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${options.token ?? ADMIN}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      localAddress: options.from ?? '127.0.0.1',
    });
  const create = async (body: Record<string, unknown>) => {
    const res = await api('POST', '/tokens', { body });
    expect(res.status, res.text).toBe(201);
    return res.json as TokenView & { token: string };
  };
  const list = async () => ((await api('GET', '/tokens')).json as { tokens: TokenView[] }).tokens;
  return { scim, api, create, list };
}

describe.each(STORE_KINDS)('SCIM source tokens on %s', (kind: StoreKind) => {
  let store: TestStore;
  let running: Running;
  let c: ReturnType<typeof clients>;
  const prefix = uniquePrefix('scimtok');

  beforeAll(async () => {
    store = await openTestStore(kind);
    running = await serve(store, prefix);
    c = clients(running.daemon.url as string);
  });
  afterAll(async () => {
    await running?.close();
    await store?.close();
    const redis = testRedis();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('rotation: the config token and every live token of the source work; a revoked one stops at once, the others keep working', async () => {
    const old = await c.create({ source: 'hr' });
    const rotated = await c.create({ source: 'hr' });
    for (const token of [ENV_TOKEN, old.token, rotated.token]) expect((await c.scim(token)).status).toBe(200);

    expect((await c.api('DELETE', `/tokens/${old.id}`)).status).toBe(204);
    const refused = await c.scim(old.token);
    expect(refused.status).toBe(401);
    expect(refused.json).toEqual({ schemas: [ERROR], status: '401', detail: expect.any(String) });
    expect((await c.scim(rotated.token)).status).toBe(200);
    expect((await c.scim(ENV_TOKEN)).status).toBe(200);
    expect((await c.list()).map((t) => t.id)).toEqual(expect.not.arrayContaining([old.id]));
  });

  it("a token serves only its own source, expires on time, and shows when it was last used", async () => {
    const crm = await c.create({ source: 'crm', expiresIn: 'PT1H' });
    const created = await httpRequest(`${running.daemon.url}/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${crm.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ userName: 'only-crm@example.com' }),
    });
    expect(created.status).toBe(201);
    expect(((await c.scim(ENV_TOKEN)).json as { totalResults: number }).totalResults).toBe(0);
    expect((await c.list()).find((t) => t.id === crm.id)?.lastUsedAt).toBe(running.clock.now.toISOString());

    running.clock.now = new Date(running.clock.now.getTime() + 3_600_001);
    expect((await c.scim(crm.token)).status).toBe(401);
    expect((await c.scim(ENV_TOKEN)).status).toBe(200);
  });

  it('the 11th failure in a minute from an address is a 429 under /scim (SCIM body) and then under /api (API body); good tokens keep working', async () => {
    const good = await c.create({ source: 'hr' });
    const from = '127.0.0.5';
    for (let i = 1; i <= 10; i++) expect((await c.scim(`wrong-${i}`, from)).status, `attempt ${i}`).toBe(401);
    const limited = await c.scim('wrong-11', from);
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(limited.json).toEqual({ schemas: [ERROR], status: '429', detail: expect.any(String) });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);

    // One count per address, whichever surface the failures came through.
    const api = await c.api('GET', '/workspaces', { token: 'wrong', from });
    expect(api.status).toBe(429);
    expect(api.json).toEqual({ error: { code: 'too_many_attempts', message: expect.any(String) } });
    expect(Number(api.headers['retry-after'])).toBeGreaterThan(0);

    expect((await c.scim(good.token, from)).status).toBe(200);
    expect((await c.scim(ENV_TOKEN, from)).status).toBe(200);
    expect((await c.scim(good.token, '127.0.0.6')).status).toBe(200);
    expect((await c.scim('wrong', '127.0.0.6')).status).toBe(401);
  });

  it('never logs a token or its hash', async () => {
    const tokens = await c.create({ source: 'hr' });
    await c.scim(tokens.token);
    const logs = running.logLines.join('');
    expect(logs).not.toContain(tokens.token);
    expect(logs).not.toContain(ENV_TOKEN);
    expect(logs).not.toContain(ADMIN);
  });
});

describe('across serve processes on one PostgreSQL and one Redis', () => {
  let store: TestStore;
  let a: Running;
  let b: Running;
  const prefix = uniquePrefix('scimtok2');

  beforeAll(async () => {
    store = await openTestStore('postgres');
    a = await serve(store, prefix);
    b = await serve(store, prefix, { ownDb: true });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await store?.close();
    const redis = testRedis();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('failures are counted together, and a token revoked through one process stops working in the other, at the latest once its cache time (2 s) has passed', async () => {
    const ca = clients(a.daemon.url as string);
    const cb = clients(b.daemon.url as string);
    for (let i = 0; i < 5; i++) expect((await ca.scim('wrong', '127.0.0.7')).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await cb.scim('wrong', '127.0.0.7')).status).toBe(401);
    expect((await ca.scim('wrong', '127.0.0.7')).status).toBe(429);
    expect((await cb.scim('wrong', '127.0.0.7')).status).toBe(429);

    const t = await ca.create({ source: 'hr' });
    expect((await cb.scim(t.token)).status).toBe(200); // b caches it now
    expect((await ca.api('DELETE', `/tokens/${t.id}`)).status).toBe(204);
    expect((await ca.scim(t.token)).status).toBe(401);
    b.clock.now = new Date(b.clock.now.getTime() + 2001);
    expect((await cb.scim(t.token)).status).toBe(401);
  });
});

describe('idsync tokens list | create | revoke', () => {
  let store: TestStore;
  let running: Running;
  const prefix = uniquePrefix('tokcli');

  beforeAll(async () => {
    store = await openTestStore('pglite');
    running = await serve(store, prefix);
    await store.db.query(`insert into people (email, kind) values ('ops@example.com', 'internal')`);
  });
  afterAll(async () => {
    await running?.close();
    await store?.close();
    const redis = testRedis();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('creates a token (printed once, with its id and expiry), lists it without the secret, revokes it', async () => {
    const env = { IDSYNC_URL: running.daemon.url as string, IDSYNC_ADMIN_TOKEN: ADMIN };
    const created = runCli(['tokens', 'create', '--source', 'hr', '--expires-in', 'P30D'], env);
    expect(await created.exited, created.output()).toBe(0);
    const token = created.output().replace(created.errors(), '').trim();
    expect(token).toMatch(/^idss_[A-Za-z0-9_-]{43}$/);
    const id = /id ([0-9a-f-]{36})/.exec(created.errors())?.[1] as string;
    expect(created.errors()).toContain('valid until 2026-03-31T12:00:00.000Z');
    expect((await clients(running.daemon.url as string).scim(token)).status).toBe(200);

    const listed = runCli(['tokens', 'list'], env);
    expect(await listed.exited, listed.output()).toBe(0);
    const lines = listed.output().trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+KIND\s+SUBJECT\s+CREATED\s+LAST USED\s+EXPIRES$/);
    expect(lines.find((l) => l.startsWith(id))).toMatch(new RegExp(`^${id}\\s+source\\s+hr\\s+2026-03-01 12:00Z\\s+2026-03-01 12:00Z\\s+2026-03-31 12:00Z$`));
    expect(listed.output()).not.toContain(token);

    const revoked = runCli(['tokens', 'revoke', id], env);
    expect(await revoked.exited, revoked.output()).toBe(0);
    expect((await clients(running.daemon.url as string).scim(token)).status).toBe(401);

    const json = runCli(['tokens', 'list', '--json'], env);
    expect(await json.exited).toBe(0);
    expect((JSON.parse(json.output()) as { tokens: TokenView[] }).tokens.map((t) => t.id)).not.toContain(id);
  });
});
