import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, ConnectorPage, ThrottleEvent } from '../../src/connector/connector.js';
import { ConnectorError } from '../../src/connector/errors.js';
import { googleGroupId, googleUserId, startGoogleFake, type GoogleFake } from '../../test/fakes/google/index.js';
import { googleSourceConfig } from './config.js';
import { createGoogleConnector, type GoogleConnectorDeps } from './index.js';
import { collect, failure } from '../../test/helpers/pages.js';

type Timing = Pick<GoogleConnectorDeps, 'now' | 'sleep' | 'random' | 'fetch'>;

function connectorFor(fake: GoogleFake, overrides: Record<string, unknown> = {}, env?: Record<string, string>, timing: Timing = {}): Connector {
  const config = googleSourceConfig.parse({
    id: 'gws-test',
    kind: 'google',
    adminSubject: 'admin@example.com',
    serviceAccountKeyEnv: 'GOOGLE_KEY',
    directoryUrl: fake.url,
    retry: { baseDelayMs: 10 },
    ...overrides,
  });
  return createGoogleConnector(config, { env: env ?? { GOOGLE_KEY: fake.serviceAccountKey() }, sourceId: 'gws-test', ...timing });
}

/** A clock that source-wide pauses move forward at once, each recorded: seconds of backoff in no time. */
function virtualClock(): { waits: number[]; now: () => number; sleep: (ms: number) => Promise<void> } {
  let t = Date.now();
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: (ms) => {
      waits.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
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
      attributes: {
        orgUnitPath: '/Engineering',
        department: 'Dept 1',
        organization: { costCenter: null, department: 'Dept 1', description: null, location: null, name: 'Example Ltd', title: null },
        isAdmin: false,
        suspended: false,
        archived: false,
      },
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

  it.each([
    { status: 403, reason: 'rateLimitExceeded' },
    { status: 403, reason: 'userRateLimitExceeded' },
    { status: 403, reason: 'quotaExceeded' },
    { status: 429, reason: 'rateLimitExceeded' },
  ] as const)('backs off 1 s + jitter, then 2 s, 4 s on $status $reason (no Retry-After), in the middle of a listing', async ({ status, reason }) => {
    fake.clearFaults();
    fake.throttle({ path: /\/users$/, after: 1, times: 3, status, reason });
    fake.throttle({ path: /\/members$/, after: 3, times: 1, status, reason });
    const clock = virtualClock();
    const events: ThrottleEvent[] = [];
    const connector = connectorFor(fake, {}, undefined, { now: clock.now, sleep: clock.sleep, random: () => 0.25 });
    const pages = await collect(connector.full({ onThrottle: (e) => events.push(e) }));
    expect(users(pages)).toHaveLength(1200);
    expect(groups(pages)).toHaveLength(12);
    // Google's min(2^n s + random ms, 64 s): the jitter here is 0.25 × 1,000 ms.
    expect(clock.waits).toEqual([1250, 2250, 4250, 1250]);
    expect(events).toEqual([
      { waitMs: 1250, reason: `${status} ${reason}`, attempt: 2 },
      { waitMs: 2250, reason: `${status} ${reason}`, attempt: 3 },
      { waitMs: 4250, reason: `${status} ${reason}`, attempt: 4 },
      { waitMs: 1250, reason: `${status} ${reason}`, attempt: 2 },
    ]);
  });

  it('holds every request of the source, not only the throttled one, for at least a second (real time)', async () => {
    const wide = await startGoogleFake({ users: 200, groups: 120 });
    try {
      const target = `/admin/directory/v1/groups/${googleGroupId(6)}/members`;
      wide.throttle({ path: new RegExp(`${target}$`), times: 1, reason: 'userRateLimitExceeded' });
      const sent: { path: string; at: number }[] = [];
      let throttledAt = Number.NaN;
      const watched: typeof fetch = async (input, init) => {
        const path = new URL(input instanceof Request ? input.url : input).pathname;
        sent.push({ path, at: Date.now() });
        const response = await fetch(input, init);
        if (response.status === 403) throttledAt = Date.now();
        return response;
      };
      const pages = await collect(connectorFor(wide, { concurrency: 4 }, { GOOGLE_KEY: wide.serviceAccountKey() }, { fetch: watched }).full());
      expect(groups(pages)).toHaveLength(120);
      expect(Number.isNaN(throttledAt)).toBe(false);
      // Requests already in flight when the 403 came back land within a few ms; nothing is sent
      // after that for the 1-2 s Google's first backoff lasts, though 110 member lists were still to be read.
      const during = sent.filter((r) => r.at > throttledAt + 50 && r.at < throttledAt + 1000);
      expect(during).toEqual([]);
      const retry = sent.filter((r) => r.path === target)[1];
      expect(retry?.at).toBeGreaterThanOrEqual(throttledAt + 1000);
      expect(sent.filter((r) => r.at > throttledAt + 1000).length).toBeGreaterThan(100);
    } finally {
      await wide.close();
    }
  });

  it('waits out an exhausted per-user quota (403 userRateLimitExceeded until the next window)', async () => {
    const quota = await startGoogleFake({ users: 300, groups: 8, rateLimit: { limit: 6, windowSeconds: 1 } });
    try {
      const events: ThrottleEvent[] = [];
      const pages = await collect(connectorFor(quota, {}, { GOOGLE_KEY: quota.serviceAccountKey() }).full({ onThrottle: (e) => events.push(e) }));
      expect(users(pages)).toHaveLength(300);
      expect(groups(pages)).toHaveLength(8);
      expect(events.length).toBeGreaterThan(0);
      expect(events.every((e) => e.reason === '403 userRateLimitExceeded')).toBe(true);
    } finally {
      await quota.close();
    }
  });

  it('does not retry a 403 that is not a throttle (forbidden)', async () => {
    fake.clearFaults();
    fake.forbid({ path: /\/groups$/ });
    const before = fake.counters.byPath.get('/admin/directory/v1/groups') ?? 0;
    const events: ThrottleEvent[] = [];
    const error = await failure(connectorFor(fake).full({ onThrottle: (e) => events.push(e) }));
    expect(error.code).toBe('connector_upstream');
    expect(error.message).toContain('403 forbidden: Not Authorized to access this resource/api');
    expect(fake.counters.byPath.get('/admin/directory/v1/groups')).toBe(before + 1);
    expect(events).toEqual([]);
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
    expect(error.code).toBe('connector_retryable');
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

  it('is refused with another key (invalid_grant): connector_auth naming the source, no key material', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const error = await failure(connectorFor(fake, {}, { GOOGLE_KEY: fake.serviceAccountKey({ private_key: other }) }).full());
    expect(error.code).toBe('connector_auth');
    expect(error.message).toContain('gws-test');
    expect(error.message).toContain('invalid_grant');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('PRIVATE KEY');
  });

  it('is refused when impersonating someone without delegation (unauthorized_client)', async () => {
    const error = await failure(connectorFor(fake, { adminSubject: 'intern@example.com' }).full());
    expect(error.code).toBe('connector_auth');
    expect(error.message).toContain('unauthorized_client');
  });

  it('reports an unusable key variable as connector_config without echoing it', async () => {
    const error = await failure(connectorFor(fake, {}, { GOOGLE_KEY: 'not json at all' }).full());
    expect(error.code).toBe('connector_config');
    expect(error.message).toContain('GOOGLE_KEY');
    expect(error.message).not.toContain('not json at all');
  });

  it('lists by domain when one is configured', async () => {
    fake.clearFaults();
    const pages = await collect(connectorFor(fake, { domain: 'example.com', pageSize: 300 }).full());
    expect(users(pages)).toHaveLength(1200);
    const error = await failure(connectorFor(fake, { domain: 'other.example' }).full());
    expect(error.code).toBe('connector_upstream');
    expect(error.message).toContain('badRequest: Bad Request');
  });
});
