import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntraConnector } from '../../connectors/entra/index.js';
import { createConnector, type ConnectorFactory } from '../../src/sync/connectors.js';
import { recordId } from '../../src/sync/record-ids.js';
import type { SyncRunView } from '../../src/store/runs/sync-runs.js';
import { SyncService } from '../../src/sync/sync-service.js';
import { redirectingNetworkClient } from '../fakes/graph/msal-network-client.js';
import { startGraphFake, type GraphFake } from '../fakes/graph/index.js';
import { uuidFor } from '../fakes/shared/people.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';
import { createPipeline, type Pipeline } from '../helpers/pipeline.js';

const SECRET = `entra-${randomBytes(12).toString('hex')}`;

/**
 * Graph may return the same object more than once in one delta round, on several pages; its latest
 * occurrence is its current state. Through the whole engine — Graph fake sending each write as an
 * entry of its own, two users to a page, sync runs, reconciliation — on both stores.
 */
describe.each(STORE_KINDS)('Entra delta rounds that name an entry twice (%s)', (kind) => {
  let graph: GraphFake;
  let store: TestStore;
  let pipeline: Pipeline;
  let queue: Queue;

  const factory: ConnectorFactory = async (source, deps) =>
    source.kind === 'entra'
      ? createEntraConnector(source, { env: deps.env, sourceId: source.id, msalNetworkClient: redirectingNetworkClient('https://login.microsoftonline.com', graph.url) })
      : createConnector(source, deps);

  async function run(mode: 'full' | 'delta'): Promise<SyncRunView> {
    const svc = new SyncService({ db: store.db, ingest: pipeline.ingest, config: pipeline.config, env: { SECRET }, queue, logger: pino({ level: 'silent' }), connectorFactory: factory });
    const r = await svc.execute({ sourceId: 'entra', mode });
    if ('skipped' in r) throw new Error(r.skipped);
    await pipeline.drain();
    expect(r).toMatchObject({ status: 'succeeded', mode });
    return r;
  }

  beforeAll(async () => {
    graph = await startGraphFake({ users: 60, groups: 10, clientSecret: SECRET, entryPerWrite: true });
    store = await openTestStore(kind);
    pipeline = await createPipeline(
      store.db,
      {
        sources: [{ id: 'entra', kind: 'entra', tenantId: graph.tenantId, clientId: graph.clientId, clientSecretEnv: 'SECRET', graphUrl: graph.graphUrl, pageSize: 2, retry: { baseDelayMs: 10 }, maxDeletes: 10 }],
        workspaces: [{ id: 'ws', name: 'Workspace', roles: { editor: [{ source: 'entra', group: 'Group 2' }] } }],
      },
      `repeats-${kind}`,
    );
    pipeline.startWorker();
    queue = new Queue('sync', { connection: pipeline.redis, prefix: pipeline.prefix });
    await run('full');
  }, 60_000);
  afterAll(async () => {
    await queue?.close();
    await pipeline?.close();
    await store?.close();
    await graph?.close();
  });

  /** Enabled members of Group 2 with a mail whose editor grant is active, in id order. */
  async function activeEditors(): Promise<Array<{ id: string; email: string }>> {
    const out: Array<{ id: string; email: string }> = [];
    for (const [id, type] of graph.directory.groups.get(uuidFor(2, 2))?.members ?? []) {
      const u = graph.directory.users.get(id);
      if (type !== 'user' || !u?.accountEnabled || !u.mail) continue;
      if ((await editorGrant(u.mail.toLowerCase())) === 'active') out.push({ id, email: u.mail.toLowerCase() });
    }
    return out;
  }
  const editorGrant = async (email: string) =>
    (await store.db.query<{ status: string }>(
      `select m.status from memberships m join people p on p.id = m.person_id where lower(p.email) = $1 and m.workspace_id = 'ws' and m.origin = 'rules'`,
      [email],
    )).rows[0]?.status;
  const observed = async (externalId: string) =>
    (await store.db.query<{ family_name: string; display_name: string; active: boolean }>(
      `select family_name, display_name, active from source_users where source_id = 'entra' and external_id = $1`,
      [externalId],
    )).rows[0];
  /** Two other users written in between: with two entries to a page, the user's writes land on different pages. */
  const writeTwoOthers = (k: number) => {
    graph.directory.updateUser(uuidFor(1, 40 + k), { jobTitle: `Title ${k}` });
    graph.directory.updateUser(uuidFor(1, 41 + k), { department: `Dept ${k}` });
  };

  it('renamed, then disabled on a later page: disabled and renamed after the delta, its rule grant suspended', async () => {
    const [{ id, email }] = (await activeEditors()) as [{ id: string; email: string }];
    graph.directory.updateUser(id, { surname: 'Rivera', displayName: 'Ana Rivera' });
    writeTwoOthers(0);
    graph.directory.updateUser(id, { accountEnabled: false });
    const r = await run('delta');
    expect(await observed(id)).toEqual({ family_name: 'Rivera', display_name: 'Ana Rivera', active: false });
    expect(await editorGrant(email)).toBe('suspended');
    // One entry per user, however often the round named it.
    expect(r.counts).toMatchObject({ seen: 3, updated: 3, skipped: 0 });
  });

  it('disabled, then a partial rename on a later page: still disabled, and renamed', async () => {
    const [{ id, email }] = (await activeEditors()) as [{ id: string; email: string }];
    graph.directory.updateUser(id, { accountEnabled: false });
    writeTwoOthers(2);
    graph.directory.updateUser(id, { surname: 'Okafor', displayName: 'Ada Okafor' });
    const r = await run('delta');
    expect(await observed(id)).toEqual({ family_name: 'Okafor', display_name: 'Ada Okafor', active: false });
    expect(await editorGrant(email)).toBe('suspended');
    expect(r.counts).toMatchObject({ seen: 3, updated: 3, skipped: 0 });
  });

  it('a group renamed and given a nested group in one round (named twice): the new name and the transitive member list', async () => {
    const [g, nested] = [uuidFor(2, 5), uuidFor(2, 7)];
    graph.directory.renameGroup(g, 'Group Five');
    graph.directory.addMember(g, nested, 'group');
    await run('delta');
    const group = await store.db.query<{ display_name: string }>(`select display_name from source_groups where source_id = 'entra' and external_id = $1`, [g]);
    expect(group.rows).toEqual([{ display_name: 'Group Five' }]);
    const members = await store.db.query<{ user_id: string }>(`select user_id from source_group_members where source_id = 'entra' and group_id = $1`, [recordId('entra', 'group', g)]);
    const expected = [...graph.directory.transitiveUserIds(g)].map((u) => recordId('entra', 'user', u));
    const direct = [...(graph.directory.groups.get(g)?.members ?? [])].filter(([, type]) => type === 'user');
    expect(expected.length).toBeGreaterThan(direct.length);
    expect(members.rows.map((m) => m.user_id).sort()).toEqual(expected.sort());
  });
});
