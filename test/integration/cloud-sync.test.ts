import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntraConnector } from '../../connectors/entra/index.js';
import { createConnector, type ConnectorFactory } from '../../src/sync/connectors.js';
import type { SyncRunView } from '../../src/store/runs/sync-runs.js';
import { SyncService } from '../../src/sync/sync-service.js';
import { redirectingNetworkClient } from '../fakes/graph/msal-network-client.js';
import { startGraphFake, type GraphFake } from '../fakes/graph/index.js';
import { startGoogleFake, type GoogleFake } from '../fakes/google/index.js';
import { startOktaFake, type OktaFake } from '../fakes/okta/index.js';
import { openTestStore, type TestStore } from '../helpers/db.js';
import { createPipeline, type Pipeline } from '../helpers/pipeline.js';

const USERS = 1000;
const GROUPS = 10;
const ENTRA_SECRET = `entra-${randomBytes(12).toString('hex')}`;
const OKTA_TOKEN = `00${randomBytes(20).toString('base64url')}`;

/**
 * The cloud connectors through the whole engine — run records, deletion safety, reconciliation —
 * against their fakes, with the real auth libraries doing the token flow.
 */
describe('cloud directory syncs end to end', () => {
  let graph: GraphFake;
  let okta: OktaFake;
  let google: GoogleFake;
  let store: TestStore;
  let pipeline: Pipeline;
  let queue: Queue;
  let env: Record<string, string>;

  const rules = (source: string) => ({ editor: [{ source, group: 'Group 2' }], viewer: [{ source, group: 'Group 3' }] });
  // Entra's MSAL keeps its real authority; its token requests are sent to the fake (test-infra notes).
  const factory: ConnectorFactory = async (source, deps) =>
    source.kind === 'entra'
      ? createEntraConnector(source, { env: deps.env, sourceId: source.id, msalNetworkClient: redirectingNetworkClient('https://login.microsoftonline.com', graph.url) })
      : createConnector(source, deps);

  function service(overrideEnv: Record<string, string> = {}): SyncService {
    return new SyncService({ db: store.db, ingest: pipeline.ingest, config: pipeline.config, env: { ...env, ...overrideEnv }, queue, logger: pino({ level: 'silent' }), connectorFactory: factory });
  }
  async function run(sourceId: string, mode: 'full' | 'delta', svc = service()): Promise<SyncRunView> {
    const r = await svc.execute({ sourceId, mode });
    if ('skipped' in r) throw new Error(r.skipped);
    await pipeline.drain();
    return r;
  }
  const live = async (sourceId: string) =>
    (await store.db.query<{ n: number }>('select count(*)::int as n from source_users where source_id = $1 and deleted_at is null', [sourceId])).rows[0]?.n;
  /** Active rule grants in a workspace must be exactly the active source users in the rule's group. */
  async function expectGrantsMatchObservedState(sourceId: string): Promise<number> {
    const granted = await store.db.query<{ email: string }>(
      `select p.email from memberships m join people p on p.id = m.person_id
        where m.workspace_id = $1 and m.status = 'active' and m.role = 'editor' order by 1`,
      [`ws-${sourceId}`],
    );
    const observed = await store.db.query<{ email: string }>(
      `select distinct u.email from source_users u
         join source_group_members gm on gm.source_id = u.source_id and gm.user_id = u.id
         join source_groups g on g.source_id = gm.source_id and g.id = gm.group_id
        where u.source_id = $1 and u.deleted_at is null and u.active and g.display_name = 'Group 2' and g.deleted_at is null
        order by 1`,
      [sourceId],
    );
    expect(granted.rows.map((r) => r.email)).toEqual(observed.rows.map((r) => r.email));
    return granted.rows.length;
  }

  beforeAll(async () => {
    [graph, okta, google] = await Promise.all([
      startGraphFake({ users: USERS, groups: GROUPS, clientSecret: ENTRA_SECRET }),
      startOktaFake({ users: USERS, groups: GROUPS, apiToken: OKTA_TOKEN }),
      startGoogleFake({ users: USERS, groups: GROUPS }),
    ]);
    env = { ENTRA_SECRET, OKTA_TOKEN, GOOGLE_KEY: google.serviceAccountKey() };
    store = await openTestStore('postgres');
    const retry = { baseDelayMs: 10 };
    pipeline = await createPipeline(
      store.db,
      {
        sources: [
          { id: 'entra', kind: 'entra', tenantId: graph.tenantId, clientId: graph.clientId, clientSecretEnv: 'ENTRA_SECRET', graphUrl: graph.graphUrl, retry, maxDeletes: 10 },
          { id: 'okta', kind: 'okta', orgUrl: okta.url, apiTokenEnv: 'OKTA_TOKEN', retry, maxDeletes: 10 },
          { id: 'gws', kind: 'google', adminSubject: 'admin@example.com', serviceAccountKeyEnv: 'GOOGLE_KEY', directoryUrl: google.url, retry, maxDeletes: 10 },
        ],
        workspaces: ['entra', 'okta', 'gws'].map((s) => ({ id: `ws-${s}`, name: s, roles: rules(s) })),
      },
      'cloud',
    );
    pipeline.startWorker();
    queue = new Queue('sync', { connection: pipeline.redis, prefix: pipeline.prefix });
  }, 60_000);
  afterAll(async () => {
    await queue?.close();
    await pipeline?.close();
    await store?.close();
    await Promise.all([graph?.close(), okta?.close(), google?.close()]);
  });

  describe.each([
    ['entra', () => graph as GraphFake | OktaFake | GoogleFake],
    ['okta', () => okta],
    ['gws', () => google],
  ] as const)('%s', (sourceId, fake) => {
    it('a full sync lands users, groups and the memberships the rules grant', async () => {
      const r = await run(sourceId, 'full');
      expect(r.status).toBe('succeeded');
      // Okta's users API leaves DEPROVISIONED users out unless asked for them by filter.
      const listed = sourceId === 'okta' ? [...okta.directory.users.values()].filter((u) => u.status !== 'DEPROVISIONED').length : USERS;
      expect(r.counts.seen).toBe(listed);
      expect(r.counts.created + r.counts.skipped).toBe(listed);
      expect(await live(sourceId)).toBe(r.counts.created);
      expect(await expectGrantsMatchObservedState(sourceId)).toBeGreaterThan(50);
    });

    it('throttling in the middle of a run: the run completes and records its waits', async () => {
      fake().clearFaults();
      fake().throttle({ after: 1, times: 1 });
      const r = await run(sourceId, 'full');
      fake().clearFaults();
      expect(r.status).toBe('succeeded');
      const throttle = r.detail?.['throttle'] as { waits: number; waitedMs: number };
      expect(throttle.waits).toBeGreaterThanOrEqual(1);
      expect(throttle.waitedMs).toBeGreaterThan(0);
    });

    it('a persistent failure fails the run with the API\'s own message; nothing is deleted', async () => {
      const before = await live(sourceId);
      fake().fail({ after: 2, times: Infinity, status: 500 });
      const r = await run(sourceId, 'full');
      fake().clearFaults();
      expect(r.status).toBe('failed');
      expect(r.error?.message).toContain(sourceId);
      expect(r.error?.message).toMatch(/500/);
      expect(await live(sourceId)).toBe(before);
    });

    it('wrong credentials: a clear error naming the source, without the secret', async () => {
      const wrong = { ENTRA_SECRET: 'not-the-secret', OKTA_TOKEN: '00wrong-token', GOOGLE_KEY: (fake() as GoogleFake).serviceAccountKey?.({ client_email: 'nobody@example.iam.gserviceaccount.com' }) ?? '' };
      const r = await run(sourceId, 'full', service(wrong));
      expect(r.status).toBe('failed');
      expect(r.error?.message).toContain(`"${sourceId}"`);
      for (const secret of [ENTRA_SECRET, OKTA_TOKEN, 'not-the-secret', '00wrong-token']) expect(r.error?.message).not.toContain(secret);
    });
  });

  it('entra: a delta after creates, updates, disables, deletes and membership changes', async () => {
    const dir = graph.directory;
    const group2 = [...dir.groups.values()].find((g) => g.displayName === 'Group 2');
    if (!group2) throw new Error('no Group 2');
    const members = [...group2.members.entries()].filter(([, t]) => t === 'user').map(([id]) => id);
    const enabled = members.filter((id) => dir.users.get(id)?.accountEnabled && dir.users.get(id)?.mail);
    const [disable, remove, leave] = enabled;
    const created = dir.addUser({ mail: 'newcomer@example.com', userPrincipalName: 'newcomer@example.onmicrosoft.com', displayName: 'New Comer', accountEnabled: true });
    dir.addMember(group2.id, created.id);
    dir.updateUser(disable as string, { accountEnabled: false });
    dir.deleteUser(remove as string);
    dir.removeMember(group2.id, leave as string);
    const r = await run('entra', 'delta');
    expect(r).toMatchObject({ status: 'succeeded', mode: 'delta' });
    expect(r.counts.seen).toBeLessThan(20);
    expect(r.counts.deleted).toBe(1);
    const state = async (email: string) =>
      (await store.db.query<{ status: string }>(
        `select m.status from memberships m join people p on p.id = m.person_id where p.email = $1 and m.workspace_id = 'ws-entra' and m.role = 'editor'`,
        [email],
      )).rows[0]?.status;
    const mail = (id: string | undefined) => (dir.users.get(id as string)?.mail ?? '').toLowerCase();
    expect(await state('newcomer@example.com')).toBe('active');
    expect(await state(mail(disable))).toBe('suspended');
    expect(await state(mail(leave))).toBe('suspended');
    await expectGrantsMatchObservedState('entra');
  });

  /** An enabled member of Group 2 with a mail, whose editor grant is active. */
  async function activeEditor(): Promise<{ id: string; email: string }> {
    const dir = graph.directory;
    const group2 = [...dir.groups.values()].find((g) => g.displayName === 'Group 2');
    for (const [id, type] of group2?.members ?? []) {
      const u = dir.users.get(id);
      if (type !== 'user' || !u?.accountEnabled || !u.mail) continue;
      const email = u.mail.toLowerCase();
      if ((await editorGrant(email))?.status === 'active') return { id, email };
    }
    throw new Error('no active editor left');
  }
  const editorGrant = async (email: string) =>
    (await store.db.query<{ person_id: string; status: string; role: string }>(
      `select m.person_id, m.status, m.role from memberships m join people p on p.id = m.person_id
        where p.email = $1 and m.workspace_id = 'ws-entra' and m.origin = 'rules'`,
      [email],
    )).rows[0];
  const observedEntra = async (externalId: string) =>
    (await store.db.query<{ email: string; given_name: string; family_name: string; display_name: string; active: boolean }>(
      `select email, given_name, family_name, display_name, active from source_users where source_id = 'entra' and external_id = $1`,
      [externalId],
    )).rows[0];

  it('entra: a user disabled in Entra ({id, accountEnabled: false} in the delta) loses its rule grants in that delta run', async () => {
    const { id, email } = await activeEditor();
    const before = await observedEntra(id);
    graph.directory.updateUser(id, { accountEnabled: false });
    const r = await run('entra', 'delta');
    expect(r).toMatchObject({ status: 'succeeded', mode: 'delta', counts: { seen: 1, updated: 1, skipped: 0 } });
    expect(await observedEntra(id)).toEqual({ ...before, active: false });
    expect(await editorGrant(email)).toMatchObject({ status: 'suspended' });
    await expectGrantsMatchObservedState('entra');
  });

  it('entra: a rename (surname and displayName only) updates the observed name; the e-mail and the grants stay', async () => {
    const { id, email } = await activeEditor();
    const before = await observedEntra(id);
    const grant = await editorGrant(email);
    graph.directory.updateUser(id, { surname: 'Renamed', displayName: `${before?.given_name ?? ''} Renamed` });
    const r = await run('entra', 'delta');
    expect(r).toMatchObject({ status: 'succeeded', mode: 'delta', counts: { seen: 1, updated: 1, skipped: 0 } });
    expect(await observedEntra(id)).toEqual({ ...before, family_name: 'Renamed', display_name: `${before?.given_name ?? ''} Renamed` });
    expect(await editorGrant(email)).toEqual(grant);
    expect(grant?.status).toBe('active');
  });

  it('entra: an expired delta cursor (410 syncStateNotFound) turns the run into a full one instead of failing', async () => {
    graph.expireDeltaTokens();
    graph.directory.addUser({ mail: 'late-joiner@example.com', userPrincipalName: 'late-joiner@example.onmicrosoft.com', displayName: 'Late Joiner', accountEnabled: true });
    const r = await run('entra', 'delta');
    expect(r).toMatchObject({ status: 'succeeded', mode: 'full' });
    expect(r.detail?.['fallback']).toContain('expired');
    expect(r.counts.created).toBe(1);
    const next = await run('entra', 'delta');
    expect(next).toMatchObject({ status: 'succeeded', mode: 'delta' });
  });
});
