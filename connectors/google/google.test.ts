import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, ConnectorPage, ThrottleEvent } from '../../src/sync/connector.js';
import { ConnectorError } from '../../src/sync/errors.js';
import { googleGroupId, googleUserId, startGoogleFake, type GoogleFake } from '../../test/fakes/google/index.js';
import { googleSourceConfig } from './config.js';
import { createGoogleConnector } from './index.js';
import { collect, failure } from '../../test/helpers/pages.js';

function connectorFor(fake: GoogleFake, overrides: Record<string, unknown> = {}, env?: Record<string, string>): Connector {
  const config = googleSourceConfig.parse({
    id: 'gws-test',
    kind: 'google',
    adminSubject: 'admin@example.com',
    serviceAccountKeyEnv: 'GOOGLE_KEY',
    directoryUrl: fake.url,
    retry: { baseDelayMs: 10 },
    ...overrides,
  });
  return createGoogleConnector(config, { env: env ?? { GOOGLE_KEY: fake.serviceAccountKey() }, sourceId: 'gws-test' });
}

const users = (pages: ConnectorPage[]) => pages.flatMap((p) => p.users ?? []);
const groups = (pages: ConnectorPage[]) => pages.flatMap((p) => p.groups ?? []);

describe('Google connector: full listing of 5,000 users and 100 groups', () => {
  let fake: GoogleFake;
  let connector: Connector;
  let pages: ConnectorPage[];
  beforeAll(async () => {
    fake = await startGoogleFake({ users: 5000, groups: 100 });
    connector = connectorFor(fake);
    pages = await collect(connector.full());
  });
  afterAll(() => fake.close());

  it('lists every user, users first, with one token for the run and no delta', () => {
    expect(users(pages)).toHaveLength(5000);
    expect(new Set(users(pages).map((u) => u.externalId)).size).toBe(5000);
    const firstGroupPage = pages.findIndex((p) => p.groups?.length);
    expect(pages.slice(firstGroupPage).every((p) => !p.users?.length)).toBe(true);
    expect(fake.counters.byPath.get('/admin/directory/v1/users')).toBe(10); // maxResults=500
    expect(fake.counters.tokenRequests).toBe(1);
    expect(connector.delta).toBeUndefined();
  });

  it('maps records exactly', () => {
    const byId = new Map(users(pages).map((u) => [u.externalId, u]));
    expect(byId.get(googleUserId(1))).toEqual({
      externalId: googleUserId(1),
      userName: 'user1@example.com',
      email: 'user1@example.com',
      emails: [{ value: 'user1@example.com', type: 'work', primary: true }],
      givenName: 'Alan',
      familyName: 'Lovelace',
      displayName: 'Alan Lovelace',
      company: 'Example Ltd',
      active: true,
      attributes: { orgUnitPath: '/Engineering', department: 'Dept 1', isAdmin: false, suspended: false, archived: false },
    });
    expect(byId.get(googleUserId(96))?.active).toBe(false); // suspended
    expect(byId.get(googleUserId(88))?.active).toBe(false); // archived
    expect(byId.get(googleUserId(50))?.company).toBeNull();
  });

  it('lists every group with transitive user members, cycles survived, the e-mail as alias', () => {
    expect(groups(pages)).toHaveLength(100);
    for (const group of groups(pages)) {
      expect(new Set(group.memberExternalIds)).toEqual(fake.directory.transitiveUserIds(group.externalId));
      expect(group.memberExternalIds?.length).toBe(new Set(group.memberExternalIds).size);
    }
    expect(groups(pages).find((g) => g.externalId === googleGroupId(3))).toMatchObject({ displayName: 'Group 3', aliases: ['group3@example.com'] });
    const g0 = groups(pages).find((g) => g.externalId === googleGroupId(0));
    expect(g0?.memberExternalIds?.length).toBeGreaterThan(100);
  });
});

describe('Google connector: throttling, failures and credentials', () => {
  let fake: GoogleFake;
  beforeAll(async () => {
    fake = await startGoogleFake({ users: 1200, groups: 12 });
  });
  afterAll(() => fake.close());

  it('treats 403 rateLimitExceeded as a throttle in the middle of a listing', async () => {
    fake.clearFaults();
    fake.throttle({ after: 1, times: 1, retryAfterSeconds: 1 });
    fake.throttle({ path: /\/members$/, after: 3, times: 1, reason: 'userRateLimitExceeded' });
    const events: ThrottleEvent[] = [];
    const pages = await collect(connectorFor(fake).full({ onThrottle: (e) => events.push(e) }));
    expect(users(pages)).toHaveLength(1200);
    expect(groups(pages)).toHaveLength(12);
    expect(events.map((e) => e.reason).sort()).toEqual(['403 rateLimitExceeded', '403 userRateLimitExceeded']);
    expect(events.find((e) => e.reason === '403 rateLimitExceeded')?.waitMs).toBeGreaterThan(900);
  });

  it('retries one 500 transparently', async () => {
    fake.clearFaults();
    fake.fail({ after: 2, times: 1, status: 503 });
    const events: ThrottleEvent[] = [];
    const pages = await collect(connectorFor(fake).full({ onThrottle: (e) => events.push(e) }));
    expect(users(pages)).toHaveLength(1200);
    expect(events).toMatchObject([{ reason: '503', attempt: 1 }]);
  });

  it('fails a persistent 500 with a retryable error quoting error.message, never ending early', async () => {
    fake.clearFaults();
    fake.fail({ after: 1, times: Infinity });
    const seen: ConnectorPage[] = [];
    const error = await failure(connectorFor(fake).full(), seen);
    fake.clearFaults();
    expect(error.code).toBe('CONNECTOR_RETRYABLE');
    expect(error.message).toContain('"gws-test"');
    expect(error.message).toContain('backendError: Backend Error');
    expect(seen).toHaveLength(1);
  });

  it('gets a new token after a 401', async () => {
    fake.clearFaults();
    const before = fake.counters.tokenRequests;
    const pages: ConnectorPage[] = [];
    for await (const page of connectorFor(fake).full()) {
      if (pages.length === 0) fake.revokeTokens();
      pages.push(page);
    }
    expect(groups(pages)).toHaveLength(12);
    expect(fake.counters.tokenRequests - before).toBe(2);
  });

  it('is refused with another key (invalid_grant): CONNECTOR_AUTH naming the source, no key material', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const error = await failure(connectorFor(fake, {}, { GOOGLE_KEY: fake.serviceAccountKey({ private_key: other }) }).full());
    expect(error.code).toBe('CONNECTOR_AUTH');
    expect(error.message).toContain('gws-test');
    expect(error.message).toContain('invalid_grant');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('PRIVATE KEY');
  });

  it('is refused when impersonating someone without delegation (unauthorized_client)', async () => {
    const error = await failure(connectorFor(fake, { adminSubject: 'intern@example.com' }).full());
    expect(error.code).toBe('CONNECTOR_AUTH');
    expect(error.message).toContain('unauthorized_client');
  });

  it('reports an unusable key variable as CONNECTOR_CONFIG without echoing it', async () => {
    const error = await failure(connectorFor(fake, {}, { GOOGLE_KEY: 'not json at all' }).full());
    expect(error.code).toBe('CONNECTOR_CONFIG');
    expect(error.message).toContain('GOOGLE_KEY');
    expect(error.message).not.toContain('not json at all');
  });

  it('lists by domain when one is configured', async () => {
    fake.clearFaults();
    const pages = await collect(connectorFor(fake, { domain: 'example.com', pageSize: 300 }).full());
    expect(users(pages)).toHaveLength(1200);
    const error = await failure(connectorFor(fake, { domain: 'other.example' }).full());
    expect(error.code).toBe('CONNECTOR_UPSTREAM');
    expect(error.message).toContain('badRequest: Bad Request');
  });
});
