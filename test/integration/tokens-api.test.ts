/**
 * Tokens through the admin API over real HTTP, on both stores: issue with an expiry, list without
 * secrets (paged), revoke (audited, at once), expiry, last use; and the failed-authentication limit
 * under /api with and without `http.trustProxy`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/domain/secret-tokens.js';
import { SYSTEM, startAdminApp, type AdminApp } from '../helpers/admin-app.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';
import { httpRequest } from '../helpers/http-request.js';

type TokenView = { id: string; kind: 'source' | 'person'; subject: string; createdAt: string; lastUsedAt: string | null; expiresAt: string | null };
type Issued = TokenView & { token: string };
type ErrorBody = { error: { code: string; message: string } };

const CONFIG = {
  organization: { internalDomains: ['example.com'] },
  sources: [{ id: 'hr', kind: 'scim' }, { id: 'files', kind: 'csv' }],
};
const DAY = 86_400_000;

describe.each(STORE_KINDS)('tokens through the admin API on %s', (kind) => {
  let store: TestStore;
  let app: AdminApp;

  beforeAll(async () => {
    store = await openTestStore(kind);
    app = await startAdminApp(store.db, CONFIG);
    for (const email of ['alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com']) {
      await store.db.query(`insert into people (email, kind) values ($1, 'internal')`, [email]);
    }
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  async function issue(body: Record<string, unknown>): Promise<Issued> {
    const res = await app.call<Issued>('POST', '/tokens', { body });
    expect(res.status, res.text).toBe(201);
    return res.body;
  }
  const works = async (token: string) => (await app.call('GET', '/workspaces', { token })).status;
  async function listAll(token = SYSTEM, limit = 1000): Promise<{ tokens: TokenView[]; pages: number; texts: string[] }> {
    const tokens: TokenView[] = [];
    const texts: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: { tokens: TokenView[]; next: string | null }; text: string } = await app.call('GET', `/tokens?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(res.status, res.text).toBe(200);
      tokens.push(...res.body.tokens);
      texts.push(res.text);
      cursor = res.body.next;
      pages++;
    } while (cursor !== null && pages < 100);
    return { tokens, pages, texts };
  }

  it('issues person and source tokens, with an optional expiry, and lists them without a secret or hash, paged', async () => {
    const person = await issue({ person: 'Alice@Example.com', expiresIn: 'P30D' });
    expect(person).toEqual({
      token: expect.stringMatching(/^idsp_/), id: expect.any(String), kind: 'person', subject: 'alice@example.com',
      createdAt: app.clock.now.toISOString(), lastUsedAt: null, expiresAt: new Date(app.clock.now.getTime() + 30 * DAY).toISOString(),
      person: { id: expect.any(String), email: 'alice@example.com' },
    });
    const source = await issue({ source: 'hr' });
    expect(source).toMatchObject({ token: expect.stringMatching(/^idss_/), kind: 'source', subject: 'hr', expiresAt: null, source: 'hr' });
    const secondSource = await issue({ source: 'hr', expiresIn: 'PT12H' });

    const { tokens, texts } = await listAll();
    const byId = new Map(tokens.map((t) => [t.id, t]));
    expect(byId.get(person.id)).toEqual({ id: person.id, kind: 'person', subject: 'alice@example.com', createdAt: person.createdAt, lastUsedAt: null, expiresAt: person.expiresAt });
    expect(byId.get(source.id)).toEqual({ id: source.id, kind: 'source', subject: 'hr', createdAt: source.createdAt, lastUsedAt: null, expiresAt: null });
    expect(byId.get(secondSource.id)?.expiresAt).toBe(new Date(app.clock.now.getTime() + 12 * 3_600_000).toISOString());
    for (const t of tokens) expect(Object.keys(t).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'kind', 'lastUsedAt', 'subject']);
    for (const secret of [person.token, source.token, secondSource.token]) {
      for (const text of texts) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(hashToken(secret));
      }
    }

    // One per page: each token exactly once, although creation times carry microseconds a Date drops.
    await store.db.query(`update api_tokens set created_at = created_at + (random() * interval '1 second')`);
    const paged = await listAll(SYSTEM, 1);
    expect(paged.tokens.map((t) => t.id).sort()).toEqual(tokens.map((t) => t.id).sort());
    expect(paged.pages).toBe(tokens.length);
    expect((await app.call<ErrorBody>('GET', '/tokens?cursor=bm9wZQ')).body.error.code).toBe('invalid_request');
  });

  it('revokes a token: 204, audited, refused at once, gone from the list; 404 for unknown, malformed or already revoked ids', async () => {
    const t = await issue({ person: 'carol@example.com' });
    expect(await works(t.token)).toBe(200);
    expect((await app.call('DELETE', `/tokens/${t.id}`)).status).toBe(204);
    expect(await works(t.token)).toBe(401);
    expect((await listAll()).tokens.map((x) => x.id)).not.toContain(t.id);
    const audit = await app.call<{ entries: Array<{ actor: string; action: string; before: unknown; after: unknown }> }>('GET', '/audit?person=carol@example.com');
    expect(audit.body.entries.map((e) => [e.action, e.actor])).toEqual([['token.revoked', 'system'], ['token.created', 'system']]);
    expect(JSON.stringify(audit.body)).not.toContain(t.token);

    for (const id of [t.id, '00000000-0000-4000-8000-000000000000', 'not-a-token-id']) {
      const res = await app.call<ErrorBody>('DELETE', `/tokens/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
  });

  it('a person lists only their own tokens and revokes only their own', async () => {
    const bob1 = await issue({ person: 'bob@example.com' });
    const bob2 = await issue({ person: 'bob@example.com' });
    const alice = await issue({ person: 'alice@example.com' });
    const seen = await listAll(bob1.token);
    expect(seen.tokens.map((t) => t.id).sort()).toEqual([bob1.id, bob2.id].sort());
    expect(new Set(seen.tokens.map((t) => t.subject))).toEqual(new Set(['bob@example.com']));

    // Someone else's token is not there for them: 404, and it keeps working.
    expect((await app.call('DELETE', `/tokens/${alice.id}`, { token: bob1.token })).status).toBe(404);
    expect(await works(alice.token)).toBe(200);
    expect((await app.call('DELETE', `/tokens/${bob2.id}`, { token: bob1.token })).status).toBe(204);
    expect(await works(bob2.token)).toBe(401);
    expect(await works(bob1.token)).toBe(200);
    const audit = await app.call<{ entries: Array<{ actor: string; action: string }> }>('GET', '/audit?person=bob@example.com&actor=user:bob@example.com');
    expect(audit.body.entries.map((e) => e.action)).toEqual(['token.revoked']);
    // Issuing stays with the system token.
    expect((await app.call<ErrorBody>('POST', '/tokens', { token: bob1.token, body: { person: 'bob@example.com' } })).body.error.code).toBe('forbidden');
  });

  it('refuses an expired token; checks expiresIn and what the token is for', async () => {
    const t = await issue({ person: 'dave@example.com', expiresIn: 'PT1H' });
    expect(await works(t.token)).toBe(200);
    app.clock.now = new Date(app.clock.now.getTime() + 59 * 60_000);
    expect(await works(t.token)).toBe(200);
    app.clock.now = new Date(app.clock.now.getTime() + 60_001);
    const refused = await app.call<ErrorBody>('GET', '/workspaces', { token: t.token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('unauthenticated');
    // Still listed (an operator sees why it stopped working), with its expiry in the past.
    expect((await listAll()).tokens.find((x) => x.id === t.id)?.expiresAt).toBe(new Date(app.clock.now.getTime() - 60_001 - 59 * 60_000 + 3_600_000).toISOString());

    for (const expiresIn of ['P0D', 'soon', 'P11Y', 'P', 30]) {
      const res = await app.call<ErrorBody>('POST', '/tokens', { body: { person: 'dave@example.com', expiresIn } });
      expect(res.status, String(expiresIn)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    expect((await app.call<ErrorBody>('POST', '/tokens', { body: { source: 'files' } })).status).toBe(400);
    expect((await app.call<ErrorBody>('POST', '/tokens', { body: { source: 'nope' } })).status).toBe(404);
    expect((await app.call<ErrorBody>('POST', '/tokens', { body: { person: 'nobody@example.com' } })).status).toBe(404);
    expect((await app.call<ErrorBody>('POST', '/tokens', { body: { person: 'dave@example.com', source: 'hr' } })).status).toBe(400);
  });

  it('records when a token was last used, at most once a minute', async () => {
    const t = await issue({ person: 'dave@example.com' });
    const lastUsed = async () => (await listAll()).tokens.find((x) => x.id === t.id)?.lastUsedAt;
    expect(await lastUsed()).toBeNull();
    const first = app.clock.now.toISOString();
    expect(await works(t.token)).toBe(200);
    expect(await lastUsed()).toBe(first);
    app.clock.now = new Date(app.clock.now.getTime() + 30_000);
    expect(await works(t.token)).toBe(200);
    expect(await lastUsed()).toBe(first);
    app.clock.now = new Date(app.clock.now.getTime() + 31_000);
    expect(await works(t.token)).toBe(200);
    expect(await lastUsed()).toBe(app.clock.now.toISOString());
  });
});

describe('failed bearer attempts under /api', () => {
  let store: TestStore;
  let direct: AdminApp;
  let proxied: AdminApp;
  let personToken: string;

  beforeAll(async () => {
    store = await openTestStore('pglite');
    direct = await startAdminApp(store.db, CONFIG);
    proxied = await startAdminApp(store.db, { ...CONFIG, http: { trustProxy: true } });
    personToken = await direct.tokenFor('erin@example.com');
  });
  afterAll(async () => {
    await direct?.close();
    await proxied?.close();
    await store?.close();
  });

  const get = (app: AdminApp, token: string | undefined, options: { from?: string; forwardedFor?: string } = {}) =>
    httpRequest(`${app.url}/api/v1/workspaces`, {
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {}) },
      localAddress: options.from ?? '127.0.0.1',
    });

  it('the 11th failure in a minute from one address is a 429 with Retry-After; good tokens keep working, from there and elsewhere', async () => {
    for (let i = 1; i <= 10; i++) {
      const res = await get(direct, `wrong-${i}`);
      expect(res.status, `attempt ${i}`).toBe(401);
      expect(res.json).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    }
    const limited = await get(direct, 'wrong-11');
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ error: { code: 'too_many_attempts', message: expect.any(String) } });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect((await get(direct, 'Basic-looking-but-wrong')).status).toBe(429);

    // Who authenticates is not refused, from the limited address either.
    expect((await get(direct, SYSTEM)).status).toBe(200);
    expect((await get(direct, personToken)).status).toBe(200);
    // A request without credentials tried nothing: a plain 401.
    expect((await get(direct, undefined)).status).toBe(401);
    // Another address is not limited, for good or bad tokens.
    expect((await get(direct, SYSTEM, { from: '127.0.0.2' })).status).toBe(200);
    expect((await get(direct, 'wrong', { from: '127.0.0.2' })).status).toBe(401);
  });

  it('ignores X-Forwarded-For without trustProxy', async () => {
    for (let i = 1; i <= 10; i++) expect((await get(direct, 'wrong', { from: '127.0.0.3', forwardedFor: `198.51.100.${i}` })).status).toBe(401);
    expect((await get(direct, 'wrong', { from: '127.0.0.3', forwardedFor: '198.51.100.99' })).status).toBe(429);
  });

  it("with trustProxy, counts the address the proxy appended to X-Forwarded-For, not the client's own entries", async () => {
    for (let i = 1; i <= 10; i++) expect((await get(proxied, 'wrong', { from: '127.0.0.4', forwardedFor: `10.9.9.${i}, 203.0.113.7` })).status).toBe(401);
    expect((await get(proxied, 'wrong', { from: '127.0.0.4', forwardedFor: '203.0.113.7' })).status).toBe(429);
    // Same proxy (TCP peer), another client behind it: not limited.
    expect((await get(proxied, 'wrong', { from: '127.0.0.4', forwardedFor: '203.0.113.8' })).status).toBe(401);
    expect((await get(proxied, SYSTEM, { from: '127.0.0.4', forwardedFor: '203.0.113.7' })).status).toBe(200);
  });
});
