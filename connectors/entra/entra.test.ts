import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, ConnectorPage, ThrottleEvent } from '../../src/connector/connector.js';
import { ConnectorError } from '../../src/connector/errors.js';
import { startGraphFake, type GraphFake } from '../../test/fakes/graph/index.js';
import { redirectingNetworkClient } from '../../test/fakes/graph/msal-network-client.js';
import { uuidFor } from '../../test/fakes/shared/people.js';
import { entraSourceConfig } from './config.js';
import { createEntraConnector } from './index.js';
import { collect, failure } from '../../test/helpers/pages.js';

const SECRET = `s3cr3t-${randomBytes(8).toString('hex')}`;

function connectorFor(
  fake: GraphFake,
  overrides: Record<string, unknown> = {},
  env: Record<string, string> = { ENTRA_SECRET: SECRET },
  authorityHost = 'https://login.microsoftonline.com',
): Connector {
  const config = entraSourceConfig.parse({
    id: 'entra-test',
    kind: 'entra',
    tenantId: fake.tenantId,
    clientId: fake.clientId,
    clientSecretEnv: 'ENTRA_SECRET',
    graphUrl: fake.graphUrl,
    retry: { baseDelayMs: 10 },
    ...overrides,
  });
  return createEntraConnector(config, {
    env,
    sourceId: 'entra-test',
    msalNetworkClient: redirectingNetworkClient(authorityHost, fake.url),
  });
}

function deltaOf(connector: Connector, options: { cursor: string }): AsyncIterable<ConnectorPage> {
  if (!connector.delta) throw new Error('no delta');
  return connector.delta(options);
}

const users = (pages: ConnectorPage[]) => pages.flatMap((p) => p.users ?? []);
const groups = (pages: ConnectorPage[]) => pages.flatMap((p) => p.groups ?? []);
const userPatches = (pages: ConnectorPage[]) => pages.flatMap((p) => p.userPatches ?? []);
const groupPatches = (pages: ConnectorPage[]) => pages.flatMap((p) => p.groupPatches ?? []);

describe('Entra connector: full listing of 5,000 users and 100 groups', () => {
  let fake: GraphFake;
  let pages: ConnectorPage[];
  beforeAll(async () => {
    fake = await startGraphFake({ users: 5000, groups: 100, clientSecret: SECRET });
    pages = await collect(connectorFor(fake).full());
  });
  afterAll(() => fake.close());

  it('lists every user, users first, cursor on the last page only', () => {
    expect(users(pages)).toHaveLength(5000);
    expect(new Set(users(pages).map((u) => u.externalId)).size).toBe(5000);
    const firstGroupPage = pages.findIndex((p) => p.groups?.length);
    expect(pages.slice(firstGroupPage).every((p) => !p.users?.length)).toBe(true);
    expect(pages.slice(0, -1).every((p) => p.cursor === undefined)).toBe(true);
    expect(JSON.parse(pages.at(-1)?.cursor ?? '')).toMatchObject({ v: 1 });
    // 5,000 users at odata.maxpagesize=999: 6 Graph pages, one connector page each.
    expect(fake.counters.byPath.get('/v1.0/users/delta')).toBe(6);
    expect(fake.counters.tokenRequests).toBe(1);
  });

  it('maps records exactly', () => {
    const byId = new Map(users(pages).map((u) => [u.externalId, u]));
    expect(byId.get(uuidFor(1, 1))).toEqual({
      externalId: uuidFor(1, 1),
      userName: 'user1@example.onmicrosoft.com',
      email: 'user1@example.com',
      emails: [{ value: 'user1@example.com', type: 'work', primary: true }],
      givenName: 'Alan',
      familyName: 'Lovelace',
      displayName: 'Alan Lovelace',
      company: 'Example Ltd',
      active: true,
      attributes: { userPrincipalName: 'user1@example.onmicrosoft.com', userType: 'Member', jobTitle: null, department: 'Dept 1', employeeType: 'Employee' },
    });
    // No `mail`: the UPN is the address. accountEnabled false: inactive.
    expect(byId.get(uuidFor(1, 50))?.email).toBe('user50@example.onmicrosoft.com');
    expect(byId.get(uuidFor(1, 97))?.active).toBe(false);
    expect(users(pages).filter((u) => !u.active)).toHaveLength(Math.ceil(5000 / 97));
  });

  it('lists every group with its transitive members, split member objects merged, cycles survived', () => {
    const all = groups(pages);
    expect(all).toHaveLength(100);
    for (const group of all) {
      expect(new Set(group.memberExternalIds)).toEqual(fake.directory.transitiveUserIds(group.externalId));
    }
    const g5 = all.find((g) => g.displayName === 'Group 5');
    expect(g5?.memberExternalIds).toHaveLength(100); // 5,000 users × 2 groups / 100, split over 3 objects
    const g0 = all.find((g) => g.externalId === uuidFor(2, 0));
    const g1 = all.find((g) => g.externalId === uuidFor(2, 1));
    expect(g0?.memberExternalIds?.length).toBeGreaterThan(100); // contains group 1 (which contains group 0)
    expect(new Set(g0?.memberExternalIds)).toEqual(new Set(g1?.memberExternalIds));
  });
});

describe('Entra connector: delta', () => {
  let fake: GraphFake;
  beforeAll(async () => {
    fake = await startGraphFake({ users: 300, groups: 20, clientSecret: SECRET });
  });
  afterAll(() => fake.close());

  it('reports creates, updates, disables, deletes and membership changes, then nothing', async () => {
    const connector = connectorFor(fake);
    const full = await collect(connector.full());
    const cursor = full.at(-1)?.cursor as string;
    const d = fake.directory;
    const created = d.addUser({ displayName: 'New Person' });
    d.updateUser(uuidFor(1, 2), { displayName: 'Renamed Person', mail: 'renamed@example.com' });
    d.updateUser(uuidFor(1, 3), { accountEnabled: false });
    d.updateUser(uuidFor(1, 8), { userPrincipalName: 'eight@example.onmicrosoft.com' }); // has a mail
    d.updateUser(uuidFor(1, 50), { userPrincipalName: 'fifty@example.onmicrosoft.com' }); // no mail: the UPN is the address
    const moved = Array.from({ length: 15 }, (_, k) => uuidFor(1, 200 + k)); // 17 to read: two requests of at most 15 ids
    for (const id of moved) d.updateUser(id, { userPrincipalName: `moved-${id}@example.onmicrosoft.com` });
    d.deleteUser(uuidFor(1, 4)); // a member of groups 4 and 11
    d.addMember(uuidFor(2, 5), created.id);
    d.removeMember(uuidFor(2, 5), uuidFor(1, 5));
    d.addMember(uuidFor(2, 11), uuidFor(1, 7)); // group 11 sits inside group 10
    d.addMember(uuidFor(2, 15), uuidFor(2, 16), 'group'); // new nesting
    d.renameGroup(uuidFor(2, 6), 'Group Six');
    const doomed = d.addGroup('Short-lived');
    d.deleteGroup(doomed.id);

    const pages = await collect(deltaOf(connector, { cursor }));
    // Created: whole. Updated: only what Graph sent, as a patch; a UPN change without `mail` is
    // read whole (the address depends on both), 15 ids to a request.
    const whole = new Map(users(pages).map((u) => [u.externalId, u]));
    expect([...whole.keys()].sort()).toEqual([created.id, uuidFor(1, 8), uuidFor(1, 50), ...moved].sort());
    expect(whole.get(created.id)).toMatchObject({ displayName: 'New Person', active: true });
    expect(whole.get(uuidFor(1, 8))).toMatchObject({ userName: 'eight@example.onmicrosoft.com', email: 'user8@example.com' });
    expect(whole.get(uuidFor(1, 50))).toMatchObject({ userName: 'fifty@example.onmicrosoft.com', email: 'fifty@example.onmicrosoft.com' });
    expect(whole.get(moved[14] as string)?.userName).toBe(`moved-${moved[14] as string}@example.onmicrosoft.com`);
    expect(fake.counters.byPath.get('/v1.0/users')).toBe(2);
    expect(userPatches(pages)).toEqual([
      {
        externalId: uuidFor(1, 2),
        displayName: 'Renamed Person',
        email: 'renamed@example.com',
        emails: [{ value: 'renamed@example.com', type: 'work', primary: true }],
      },
      { externalId: uuidFor(1, 3), active: false },
    ]);
    expect(pages.flatMap((p) => p.removedUsers ?? [])).toEqual([uuidFor(1, 4)]);
    expect(pages.flatMap((p) => p.removedGroups ?? [])).toEqual([doomed.id]);

    const changes = pages.flatMap((p) => p.memberChanges ?? []);
    expect(changes).toContainEqual({ groupExternalId: uuidFor(2, 5), added: [created.id], removed: [uuidFor(1, 5)] });
    expect(changes).toContainEqual({ groupExternalId: uuidFor(2, 4), added: [], removed: [uuidFor(1, 4)] });
    expect(changes).toContainEqual({ groupExternalId: uuidFor(2, 11), added: [uuidFor(1, 7)], removed: [uuidFor(1, 4)] });

    // Renamed: a group record without members ("unchanged"). Members changed only: no group record.
    expect(groups(pages)).toEqual([{ externalId: uuidFor(2, 6), displayName: 'Group Six' }]);
    // Nesting reached: full transitive lists for the groups involved (15 gained 16; 10 contains 11),
    // as patches that keep the observed name (Graph sent none), with no request for it.
    const full15 = groupPatches(pages).find((g) => g.externalId === uuidFor(2, 15));
    expect(new Set(full15?.memberExternalIds)).toEqual(d.transitiveUserIds(uuidFor(2, 15)));
    const full10 = groupPatches(pages).find((g) => g.externalId === uuidFor(2, 10));
    expect(new Set(full10?.memberExternalIds)).toEqual(d.transitiveUserIds(uuidFor(2, 10)));
    expect(full10 && 'displayName' in full10).toBe(false);
    expect(fake.counters.byPath.get(`/v1.0/groups/${uuidFor(2, 10)}`)).toBeUndefined();

    const next = pages.at(-1)?.cursor as string;
    expect(next).toBeDefined();
    const quiet = await collect(deltaOf(connector, { cursor: next }));
    expect(quiet).toEqual([{ cursor: expect.any(String) }]);
  });

  it('takes the literal minimal records of a delta round: patches, removals and member changes, never a skip or a rename', async () => {
    const connector = connectorFor(fake);
    const cursor = (await collect(connector.full())).at(-1)?.cursor as string;
    const [a, b, gone] = [uuidFor(1, 20), uuidFor(1, 21), uuidFor(1, 22)];
    const answer = (value: unknown[], kind: string) => () => ({
      status: 200,
      body: { '@odata.context': `${fake.graphUrl}/$metadata#${kind}`, value, '@odata.deltaLink': `${fake.graphUrl}/${kind}/delta?$deltatoken=literal` },
    });
    fake.inject({
      path: /\/users\/delta$/,
      respond: answer(
        JSON.parse(`[{"id": "${a}", "accountEnabled": false},
          {"id": "${b}", "surname": "Rivera", "displayName": "Ana Rivera"},
          {"@odata.type": "#microsoft.graph.user", "id": "${gone}", "@removed": {"reason": "changed"}}]`),
        'users',
      ),
    });
    fake.inject({
      path: /\/groups\/delta$/,
      respond: answer(
        JSON.parse(`[{"@odata.type": "#microsoft.graph.group", "id": "${uuidFor(2, 3)}", "members@delta": [{"@odata.type": "#microsoft.graph.user", "id": "${a}", "@removed": {"reason": "deleted"}}]},
          {"@odata.type": "#microsoft.graph.group", "id": "${uuidFor(2, 4)}", "description": "Finance team"}]`),
        'groups',
      ),
    });
    const pages = await collect(deltaOf(connector, { cursor }));
    fake.clearFaults();
    expect(userPatches(pages)).toEqual([
      { externalId: a, active: false },
      { externalId: b, familyName: 'Rivera', displayName: 'Ana Rivera' },
    ]);
    expect(users(pages)).toEqual([]);
    expect(pages.flatMap((p) => p.removedUsers ?? [])).toEqual([gone]);
    expect(pages.flatMap((p) => p.memberChanges ?? [])).toEqual([{ groupExternalId: uuidFor(2, 3), added: [], removed: [a] }]);
    expect(groups(pages)).toEqual([]);
    expect(groupPatches(pages)).toEqual([]);
    expect(pages.flatMap((p) => p.skipped ?? [])).toEqual([]);
  });

  it('fails with a cursor-expired error (not an empty delta) when the delta token has expired', async () => {
    const connector = connectorFor(fake);
    const full = await collect(connector.full());
    fake.expireDeltaTokens();
    const error = await failure(deltaOf(connector, { cursor: full.at(-1)?.cursor as string }));
    expect(error.code).toBe('connector_cursor_expired');
    expect(error.message).toContain('entra-test');
    expect(error.message).toContain('syncStateNotFound');
  });

  it('refuses a cursor pointing at another host', async () => {
    const connector = connectorFor(fake);
    const cursor = JSON.stringify({ v: 1, users: 'https://evil.example/v1.0/users/delta?$deltatoken=x', groups: 'https://evil.example/g', nested: {} });
    const error = await failure(deltaOf(connector, { cursor }));
    expect(error.code).toBe('connector_config');
  });
});

describe('Entra connector: a user written twice in one delta round', () => {
  let fake: GraphFake;
  beforeAll(async () => {
    // Each write its own entry, as Graph may send an object more than once in a round.
    fake = await startGraphFake({ users: 50, groups: 3, clientSecret: SECRET, entryPerWrite: true });
  });
  afterAll(() => fake.close());

  it('yields each occurrence, on the page Graph sent it, in order: the rename on one page, the disable on a later one', async () => {
    const connector = connectorFor(fake, { pageSize: 2 });
    const cursor = (await collect(connector.full())).at(-1)?.cursor as string;
    const [a, b, c] = [uuidFor(1, 11), uuidFor(1, 12), uuidFor(1, 13)];
    const d = fake.directory;
    d.updateUser(a, { surname: 'Rivera', displayName: 'Ana Rivera' });
    d.updateUser(b, { jobTitle: 'Manager' });
    d.updateUser(c, { department: 'Dept 9' });
    d.updateUser(a, { accountEnabled: false });
    const pages = (await collect(deltaOf(connector, { cursor }))).filter((p) => p.userPatches?.length);
    expect(pages.map((p) => p.userPatches)).toEqual([
      [
        { externalId: a, familyName: 'Rivera', displayName: 'Ana Rivera' },
        { externalId: b, attributes: { jobTitle: 'Manager' } },
      ],
      [
        { externalId: c, attributes: { department: 'Dept 9' } },
        { externalId: a, active: false },
      ],
    ]);
  });
});

describe('Entra connector: throttling, failures and credentials', () => {
  let fake: GraphFake;
  beforeAll(async () => {
    fake = await startGraphFake({ users: 2000, groups: 20, clientSecret: SECRET, defaultPageSize: 100 });
  });
  afterAll(() => fake.close());

  it('waits out 429 and 503 with Retry-After in the middle of a listing and completes', async () => {
    fake.clearFaults();
    fake.throttle({ after: 2, times: 1, retryAfterSeconds: 1 });
    fake.throttle({ after: 4, times: 1, retryAfterSeconds: 1, status: 503 });
    const events: ThrottleEvent[] = [];
    const pages = await collect(connectorFor(fake, { pageSize: 200 }).full({ onThrottle: (e) => events.push(e) }));
    expect(users(pages)).toHaveLength(2000);
    expect(events.map((e) => e.reason)).toEqual(['429 Retry-After', '503 Retry-After']);
    for (const e of events) expect(e.waitMs).toBeGreaterThan(900);
  });

  it('retries one 500 transparently', async () => {
    fake.clearFaults();
    fake.fail({ after: 3, times: 1 });
    const events: ThrottleEvent[] = [];
    const pages = await collect(connectorFor(fake, { pageSize: 500 }).full({ onThrottle: (e) => events.push(e) }));
    expect(users(pages)).toHaveLength(2000);
    expect(groups(pages)).toHaveLength(20);
    expect(events).toMatchObject([{ reason: '500', attempt: 1 }]);
  });

  it('fails a persistent 500 with a retryable error after bounded attempts, never ending early', async () => {
    fake.clearFaults();
    fake.fail({ after: 2, times: Infinity });
    const seen: ConnectorPage[] = [];
    const events: ThrottleEvent[] = [];
    const error = await failure(connectorFor(fake, { pageSize: 500 }).full({ onThrottle: (e) => events.push(e) }), seen);
    fake.clearFaults();
    expect(error.code).toBe('connector_retryable');
    expect(error.message).toContain('"entra-test"');
    expect(error.message).toContain('Injected failure');
    expect(error.message).toContain('after 5 attempts');
    expect(events).toHaveLength(4);
    expect(seen.some((p) => p.cursor !== undefined)).toBe(false);
  });

  it('refreshes a revoked token once', async () => {
    fake.clearFaults();
    const connector = connectorFor(fake, { pageSize: 500 });
    const before = fake.counters.tokenRequests;
    let revoked = false;
    const pages: ConnectorPage[] = [];
    for await (const page of connector.full()) {
      pages.push(page);
      if (!revoked) {
        fake.revokeTokens();
        revoked = true;
      }
    }
    expect(users(pages)).toHaveLength(2000);
    expect(fake.counters.tokenRequests - before).toBe(2);
  });

  it('names the source, quotes AADSTS and hides the secret when the secret is wrong', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const error = await failure(connectorFor(fake, {}, { ENTRA_SECRET: wrong }).full());
    expect(error.code).toBe('connector_auth');
    expect(error.message).toContain('entra-test');
    expect(error.message).toContain('AADSTS7000215');
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain('Trace ID');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(wrong);
  });

  it('fails with connector_config when the secret variable is unset', async () => {
    const error = await failure(connectorFor(fake, {}, {}).full());
    expect(error.code).toBe('connector_config');
    expect(error.message).toContain('ENTRA_SECRET');
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const seen: ConnectorPage[] = [];
    await expect(
      (async () => {
        for await (const page of connectorFor(fake, { pageSize: 100 }).full({ signal: controller.signal })) {
          seen.push(page);
          controller.abort();
        }
      })(),
    ).rejects.toThrow(/abort/i);
    expect(seen).toHaveLength(1);
  });
});

describe('Entra connector: certificate credential and scope groups', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const thumbprint = randomBytes(32).toString('hex');
  let fake: GraphFake;
  beforeAll(async () => {
    fake = await startGraphFake({ users: 400, groups: 10, certificate: { publicKey, thumbprintSha256: thumbprint } });
  });
  afterAll(() => fake.close());

  const certificateConfig = { clientSecretEnv: undefined, certificate: { privateKeyEnv: 'ENTRA_KEY', thumbprintSha256: thumbprint } };
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  it('authenticates with a signed client assertion', async () => {
    const pages = await collect(connectorFor(fake, certificateConfig, { ENTRA_KEY: pem }).full());
    expect(users(pages)).toHaveLength(400);
  });

  it('is refused with another key (AADSTS700027)', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const error = await failure(connectorFor(fake, certificateConfig, { ENTRA_KEY: other }).full());
    expect(error.code).toBe('connector_auth');
    expect(error.message).toContain('AADSTS700027');
    expect(error.message).not.toContain('PRIVATE KEY');
  });

  it('lists only transitive members of the scope groups, and offers no delta', async () => {
    const connector = connectorFor(fake, { ...certificateConfig, scopeGroups: ['Group 3', uuidFor(2, 0)] }, { ENTRA_KEY: pem });
    expect(connector.delta).toBeUndefined();
    const pages = await collect(connector.full());
    const expected = new Set([...fake.directory.transitiveUserIds(uuidFor(2, 3)), ...fake.directory.transitiveUserIds(uuidFor(2, 0))]);
    expect(new Set(users(pages).map((u) => u.externalId))).toEqual(expected);
    for (const group of groups(pages)) for (const member of group.memberExternalIds ?? []) expect(expected.has(member)).toBe(true);
  });
});

describe('Entra connector: another authority host', () => {
  it('trusts a configured authority host as a known authority (metadata from that host, no instance discovery)', async () => {
    const host = 'https://login.partner.example';
    const fake = await startGraphFake({ users: 150, groups: 3, clientSecret: SECRET, authorityHost: host });
    try {
      const pages = await collect(connectorFor(fake, { authorityHost: host }, { ENTRA_SECRET: SECRET }, host).full());
      expect(users(pages)).toHaveLength(150);
      expect(fake.counters.tokenRequests).toBe(1);
      expect(fake.counters.byPath.get('/common/discovery/instance')).toBeUndefined();
    } finally {
      await fake.close();
    }
  });
});
