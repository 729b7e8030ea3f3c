import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, ConnectorPage, ThrottleEvent } from '../../src/connector/connector.js';
import { ConnectorError } from '../../src/connector/errors.js';
import { oktaId, startOktaFake, type OktaFake } from '../../test/fakes/okta/index.js';
import { oktaSourceConfig } from './config.js';
import { createOktaConnector } from './index.js';
import { collect, failure } from '../../test/helpers/pages.js';

const TOKEN = `00${randomBytes(20).toString('base64url')}`;

function connectorFor(fake: OktaFake, overrides: Record<string, unknown> = {}, env: Record<string, string> = { OKTA_TOKEN: TOKEN }): Connector {
  const config = oktaSourceConfig.parse({ id: 'okta-test', kind: 'okta', orgUrl: fake.url, apiTokenEnv: 'OKTA_TOKEN', retry: { baseDelayMs: 10 }, ...overrides });
  return createOktaConnector(config, { env, sourceId: 'okta-test' });
}

function deltaOf(connector: Connector, cursor: string): AsyncIterable<ConnectorPage> {
  if (!connector.delta) throw new Error('no delta');
  return connector.delta({ cursor });
}

const users = (pages: ConnectorPage[]) => pages.flatMap((p) => p.users ?? []);
const groups = (pages: ConnectorPage[]) => pages.flatMap((p) => p.groups ?? []);

describe('Okta connector: full listing of 5,000 users and 100 groups', () => {
  let fake: OktaFake;
  let pages: ConnectorPage[];
  beforeAll(async () => {
    fake = await startOktaFake({ users: 5000, groups: 100, apiToken: TOKEN });
    pages = await collect(connectorFor(fake).full());
  });
  afterAll(() => fake.close());

  it('lists every user Okta lists (deprovisioned ones are not), users first, cursor last', () => {
    const listed = [...fake.directory.users.values()].filter((u) => u.status !== 'DEPROVISIONED');
    expect(listed.length).toBeGreaterThan(4900);
    expect(users(pages)).toHaveLength(listed.length);
    const firstGroupPage = pages.findIndex((p) => p.groups?.length);
    expect(pages.slice(firstGroupPage).every((p) => !p.users?.length)).toBe(true);
    expect(pages.slice(0, -1).every((p) => p.cursor === undefined)).toBe(true);
    const cursor = pages.at(-1)?.cursor as string;
    expect(Date.now() - Date.parse(cursor)).toBeLessThan(10_000);
    expect(fake.counters.byPath.get('/api/v1/users')).toBe(Math.ceil(listed.length / 200));
    // A full listing finds deletions by absence: it has no use for the System Log.
    expect(fake.counters.byPath.get('/api/v1/logs')).toBeUndefined();
  });

  it('maps records exactly', () => {
    const byId = new Map(users(pages).map((u) => [u.externalId, u]));
    expect(byId.get(oktaId('00u', 2))).toEqual({
      externalId: oktaId('00u', 2),
      userName: 'user2@example.com',
      email: 'user2@example.com',
      emails: [{ value: 'user2@example.com', type: 'work', primary: true }],
      givenName: 'Barbara',
      familyName: 'Lovelace',
      displayName: 'Barbara Lovelace',
      company: 'Example Ltd',
      active: true,
      attributes: {
        status: 'ACTIVE',
        login: 'user2@example.com',
        profile: {
          login: 'user2@example.com',
          email: 'user2@example.com',
          firstName: 'Barbara',
          lastName: 'Lovelace',
          displayName: 'Barbara Lovelace',
          organization: 'Example Ltd',
          department: 'Dept 2',
          mobilePhone: null,
          secondEmail: null,
        },
      },
    });
    expect(byId.get(oktaId('00u', 3))?.displayName).toBe('Claude Lovelace'); // from first and last name
    expect(byId.get(oktaId('00u', 96))).toMatchObject({ active: false, attributes: { status: 'SUSPENDED' } });
    expect(byId.get(oktaId('00u', 60))).toMatchObject({ active: true, attributes: { status: 'STAGED' } });
    expect(byId.has(oktaId('00u', 88))).toBe(false); // deprovisioned
  });

  it('lists every group with all its members across member pages', () => {
    expect(groups(pages)).toHaveLength(100);
    for (const group of groups(pages)) {
      expect(new Set(group.memberExternalIds)).toEqual(fake.directory.groups.get(group.externalId)?.members);
    }
    expect(groups(pages).find((g) => g.externalId === oktaId('00g', 7))).toMatchObject({ displayName: 'Group 7' });
  });
});

describe('Okta connector: delta', () => {
  it('reports creates, updates, suspensions, deprovisioning and membership changes', async () => {
    const fake = await startOktaFake({ users: 300, groups: 20, apiToken: TOKEN });
    try {
      const connector = connectorFor(fake);
      const cursor = (await collect(connector.full())).at(-1)?.cursor as string;
      await new Promise((resolve) => setTimeout(resolve, 5));
      const d = fake.directory;
      const created = d.addUser({ firstName: 'New', lastName: 'Person' });
      d.updateUser(oktaId('00u', 2), { email: 'renamed@example.com' });
      d.setStatus(oktaId('00u', 3), 'SUSPENDED');
      d.setStatus(oktaId('00u', 4), 'DEPROVISIONED');
      d.addMember(oktaId('00g', 5), created.id);
      d.removeMember(oktaId('00g', 5), oktaId('00u', 5));
      d.renameGroup(oktaId('00g', 6), 'Group Six');
      const fresh = d.addGroup('Fresh');
      d.addMember(fresh.id, oktaId('00u', 1));

      const pages = await collect(deltaOf(connector, cursor));
      const changed = new Map(users(pages).map((u) => [u.externalId, u]));
      expect([...changed.keys()].sort()).toEqual([created.id, oktaId('00u', 2), oktaId('00u', 3), oktaId('00u', 4)].sort());
      expect(changed.get(oktaId('00u', 2))?.email).toBe('renamed@example.com');
      expect(changed.get(oktaId('00u', 3))?.active).toBe(false);
      expect(changed.get(oktaId('00u', 4))).toMatchObject({ active: false, attributes: { status: 'DEPROVISIONED' } });
      const byId = new Map(groups(pages).map((g) => [g.externalId, g]));
      expect([...byId.keys()].sort()).toEqual([oktaId('00g', 5), oktaId('00g', 6), fresh.id].sort());
      expect(new Set(byId.get(oktaId('00g', 5))?.memberExternalIds)).toEqual(d.groups.get(oktaId('00g', 5))?.members);
      expect(byId.get(oktaId('00g', 6))?.displayName).toBe('Group Six');
      expect(byId.get(fresh.id)?.memberExternalIds).toEqual([oktaId('00u', 1)]);
      const next = pages.at(-1)?.cursor as string;
      expect(Date.parse(next)).toBeGreaterThanOrEqual(Date.parse(cursor));

      // The next delta may re-read this second's changes (the cursor errs early), never more.
      const again = await collect(deltaOf(connector, next));
      for (const u of users(again)) expect(changed.has(u.externalId)).toBe(true);
      expect(fake.counters.requests).toBeLessThan(200);
    } finally {
      await fake.close();
    }
  });

  it('removes users deleted since the cursor (System Log) and lists the deactivated ones', async () => {
    const fake = await startOktaFake({ users: 200, groups: 10, apiToken: TOKEN });
    try {
      const connector = connectorFor(fake);
      const cursor = (await collect(connector.full())).at(-1)?.cursor as string;
      await new Promise((resolve) => setTimeout(resolve, 5));
      fake.directory.setStatus(oktaId('00u', 7), 'DEPROVISIONED');
      fake.directory.deleteUser(oktaId('00u', 8)); // deactivated, then deleted
      fake.directory.deleteUser(oktaId('00u', 88)); // deprovisioned before the full run

      const pages = await collect(deltaOf(connector, cursor));
      expect(pages.flatMap((p) => p.removedUsers ?? []).sort()).toEqual([oktaId('00u', 8), oktaId('00u', 88)]);
      expect(users(pages).map((u) => [u.externalId, u.active])).toEqual([[oktaId('00u', 7), false]]);
      // Deletions come first: a user deleted while the listings run is never listed after its removal.
      expect(pages.findIndex((p) => p.removedUsers?.length)).toBeLessThan(pages.findIndex((p) => p.users?.length));
      expect(pages.some((p) => p.notices?.length)).toBe(false);
    } finally {
      await fake.close();
    }
  });

  it.each(['when-named', 'when-filtered'] as const)('lists a deactivated user exactly once when Okta lists DEPROVISIONED users %s', async (listsDeprovisioned) => {
    const fake = await startOktaFake({ users: 100, groups: 5, apiToken: TOKEN, listsDeprovisioned });
    try {
      const connector = connectorFor(fake);
      const cursor = (await collect(connector.full())).at(-1)?.cursor as string;
      await new Promise((resolve) => setTimeout(resolve, 5));
      fake.directory.setStatus(oktaId('00u', 10), 'DEPROVISIONED');
      fake.directory.updateUser(oktaId('00u', 11), { department: 'Moved' });
      const pages = await collect(deltaOf(connector, cursor));
      expect(users(pages).map((u) => u.externalId).sort()).toEqual([oktaId('00u', 10), oktaId('00u', 11)]);
      expect(users(pages).find((u) => u.externalId === oktaId('00u', 10))).toMatchObject({ active: false, attributes: { status: 'DEPROVISIONED' } });
    } finally {
      await fake.close();
    }
  });

  it('reads more than a page of deletions, bounded, through the log\'s own rate limit', async () => {
    const fake = await startOktaFake({ users: 1500, groups: 5, apiToken: TOKEN, logRateLimit: { limit: 1, windowSeconds: 1 } });
    try {
      const connector = connectorFor(fake);
      const cursor = (await collect(connector.full())).at(-1)?.cursor as string;
      await new Promise((resolve) => setTimeout(resolve, 5));
      const deleted = [...fake.directory.users.keys()].slice(0, 1100);
      for (const id of deleted) fake.directory.deleteUser(id);
      const events: ThrottleEvent[] = [];
      const pages = await collect((connector.delta as NonNullable<Connector['delta']>)({ cursor, onThrottle: (e) => events.push(e) }));
      const removed = pages.flatMap((p) => p.removedUsers ?? []);
      expect(removed).toHaveLength(1100);
      expect(new Set(removed)).toEqual(new Set(deleted));
      // 1,100 deletions (among 2,200 events) in pages of 1,000: two requests, the second after the
      // log's budget (1 a second) reset. A polling request (no `until`) would never end.
      expect(fake.counters.byPath.get('/api/v1/logs')).toBe(2);
      expect(events.some((e) => e.reason === 'X-Rate-Limit-Remaining=0')).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it('without the right to read the System Log: the delta lists its changes and says deletions wait for the full run', async () => {
    const fake = await startOktaFake({ users: 100, groups: 5, apiToken: TOKEN, apiTokenScopes: ['okta.users.read', 'okta.groups.read'] });
    try {
      const connector = connectorFor(fake);
      const cursor = (await collect(connector.full())).at(-1)?.cursor as string;
      await new Promise((resolve) => setTimeout(resolve, 5));
      fake.directory.setStatus(oktaId('00u', 20), 'DEPROVISIONED');
      fake.directory.deleteUser(oktaId('00u', 21));
      const pages = await collect(deltaOf(connector, cursor));
      expect(pages.flatMap((p) => p.notices ?? [])).toEqual([
        { code: 'deletions-deferred', message: expect.stringContaining('users deleted in Okta since') as string },
      ]);
      const [notice] = pages.flatMap((p) => p.notices ?? []);
      expect(notice?.message).toContain('"okta-test"');
      expect(notice?.message).toContain('okta.logs.read');
      expect(notice?.message).not.toContain(TOKEN);
      expect(pages.flatMap((p) => p.removedUsers ?? [])).toEqual([]);
      expect(users(pages).map((u) => u.externalId)).toEqual([oktaId('00u', 20)]);
      expect(pages.at(-1)?.cursor).toBeDefined();
    } finally {
      await fake.close();
    }
  });

  it('fails on a System Log that keeps failing (not a notice), and wants a full run past its retention', async () => {
    const fake = await startOktaFake({ users: 10, groups: 1, apiToken: TOKEN });
    try {
      const connector = connectorFor(fake);
      fake.fail({ path: /^\/api\/v1\/logs$/, times: Infinity });
      expect((await failure(deltaOf(connector, new Date(Date.now() - 60_000).toISOString()))).code).toBe('connector_retryable');
      fake.clearFaults();
      const old = await failure(deltaOf(connector, new Date(Date.now() - 91 * 86_400_000).toISOString()));
      expect(old.code).toBe('connector_cursor_expired');
      expect(old.message).toContain('90 days');
    } finally {
      await fake.close();
    }
  });

  it('rejects a cursor that is not an instant', async () => {
    const fake = await startOktaFake({ users: 1, groups: 1, apiToken: TOKEN });
    try {
      expect((await failure(deltaOf(connectorFor(fake), 'yesterday'))).code).toBe('connector_config');
    } finally {
      await fake.close();
    }
  });
});

describe('Okta connector: throttling, failures and credentials', () => {
  let fake: OktaFake;
  beforeAll(async () => {
    fake = await startOktaFake({ users: 1000, groups: 10, apiToken: TOKEN });
  });
  afterAll(() => fake.close());

  it('waits for X-Rate-Limit-Reset after a 429 in the middle of a listing', async () => {
    fake.clearFaults();
    fake.throttle({ after: 2, times: 1, resetSeconds: 1 });
    const events: ThrottleEvent[] = [];
    const pages = await collect(connectorFor(fake).full({ onThrottle: (e) => events.push(e) }));
    expect(users(pages).length).toBeGreaterThan(980);
    expect(groups(pages)).toHaveLength(10);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ reason: '429 X-Rate-Limit-Reset', attempt: 2 });
    expect(events[0]?.waitMs).toBeGreaterThan(0);
  });

  it('pauses the whole source when X-Rate-Limit-Remaining reaches 0', async () => {
    fake.clearFaults();
    fake.setRateLimit({ limit: 8, windowSeconds: 1 });
    try {
      const events: ThrottleEvent[] = [];
      const pages = await collect(connectorFor(fake, { pageSize: 500, concurrency: 1 }).full({ onThrottle: (e) => events.push(e) }));
      expect(groups(pages)).toHaveLength(10);
      expect(events.some((e) => e.reason === 'X-Rate-Limit-Remaining=0')).toBe(true);
      for (const e of events) expect(e.waitMs).toBeLessThanOrEqual(2000);
    } finally {
      fake.setRateLimit({ limit: 10_000, windowSeconds: 60 });
    }
  });

  it('retries one 500 transparently', async () => {
    fake.clearFaults();
    fake.fail({ after: 1, times: 1 });
    const events: ThrottleEvent[] = [];
    const pages = await collect(connectorFor(fake).full({ onThrottle: (e) => events.push(e) }));
    expect(groups(pages)).toHaveLength(10);
    expect(events).toMatchObject([{ reason: '500', attempt: 1 }]);
  });

  it('fails a persistent 500 with a retryable error quoting errorSummary, never ending early', async () => {
    fake.clearFaults();
    fake.fail({ path: /\/groups\/[^/]+\/users$/, after: 3, times: Infinity });
    const seen: ConnectorPage[] = [];
    const error = await failure(connectorFor(fake).full(), seen);
    fake.clearFaults();
    expect(error.code).toBe('connector_retryable');
    expect(error.message).toContain('"okta-test"');
    expect(error.message).toContain('E0000009: Internal Server Error');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.some((p) => p.cursor !== undefined)).toBe(false);
  });

  it('refuses a wrong API token with connector_auth, without showing it', async () => {
    const wrong = `00${randomBytes(20).toString('base64url')}`;
    const error = await failure(connectorFor(fake, {}, { OKTA_TOKEN: wrong }).full());
    expect(error.code).toBe('connector_auth');
    expect(error.message).toContain('okta-test');
    expect(error.message).toContain('E0000011');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(wrong);
  });
});

describe('Okta connector: OAuth 2.0 client credentials with private_key_jwt', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  let fake: OktaFake;
  beforeAll(async () => {
    fake = await startOktaFake({ users: 450, groups: 5, oauth: { clientId: '0oafakeclient', publicKey, scopes: ['okta.users.read', 'okta.groups.read', 'okta.logs.read'] } });
  });
  afterAll(() => fake.close());
  const oauthConfig = { apiTokenEnv: undefined, oauth: { clientId: '0oafakeclient', privateKeyEnv: 'OKTA_KEY', keyId: 'k1' } };

  it('lists with a bearer token obtained once', async () => {
    const pages = await collect(connectorFor(fake, oauthConfig, { OKTA_KEY: pem }).full());
    expect(groups(pages)).toHaveLength(5);
    expect(fake.counters.tokenRequests).toBe(1);
  });

  it('accepts the key as a JWK', async () => {
    const jwk = JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256' });
    const pages = await collect(connectorFor(fake, oauthConfig, { OKTA_KEY: jwk }).full());
    expect(groups(pages)).toHaveLength(5);
  });

  it('gets a new token after a 401', async () => {
    const connector = connectorFor(fake, oauthConfig, { OKTA_KEY: pem });
    const before = fake.counters.tokenRequests;
    let revoked = false;
    const pages: ConnectorPage[] = [];
    for await (const page of connector.full()) {
      pages.push(page);
      if (!revoked) fake.revokeTokens();
      revoked = true;
    }
    expect(groups(pages)).toHaveLength(5);
    expect(fake.counters.tokenRequests - before).toBe(2);
  });

  it('a token without okta.logs.read (Okta\'s insufficient_scope 403): a delta with a deletions-deferred notice', async () => {
    const connector = connectorFor(fake, oauthConfig, { OKTA_KEY: pem });
    const pages = await collect(deltaOf(connector, new Date(Date.now() - 60_000).toISOString()));
    expect(pages.flatMap((p) => p.notices ?? []).map((n) => n.code)).toEqual(['deletions-deferred']);
    // Asked for, the scope reads the log: no notice.
    const granted = connectorFor(fake, { ...oauthConfig, oauth: { ...oauthConfig.oauth, scopes: ['okta.users.read', 'okta.groups.read', 'okta.logs.read'] } }, { OKTA_KEY: pem });
    const before = fake.counters.byPath.get('/api/v1/logs') ?? 0;
    const read = await collect(deltaOf(granted, new Date(Date.now() - 60_000).toISOString()));
    expect(read.some((p) => p.notices?.length)).toBe(false);
    expect(fake.counters.byPath.get('/api/v1/logs')).toBe(before + 1);
  });

  it('is refused with another key: connector_auth with Okta\'s invalid_client', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const error = await failure(connectorFor(fake, oauthConfig, { OKTA_KEY: other }).full());
    expect(error.code).toBe('connector_auth');
    expect(error.message).toContain('okta-test');
    expect(error.message).toContain('invalid_client');
    expect(error.message).not.toContain('PRIVATE KEY');
  });
});
