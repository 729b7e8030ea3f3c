import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { group, user } from '../helpers/data.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';
import { createPipeline, type Pipeline } from '../helpers/pipeline.js';

const CONFIG = {
  organization: { internalDomains: ['example.com'] },
  sources: [{ id: 'hr', kind: 'scim' }, { id: 'dir', kind: 'scim', precedence: 5 }],
  workspaces: [
    {
      id: 'analytics',
      name: 'Analytics',
      roles: {
        admin: [{ source: 'dir', group: 'admins' }],
        editor: [{ source: 'hr', group: 'editors' }],
        viewer: [{ source: '*', group: 'everyone' }],
      },
    },
    { id: 'sales', name: 'Sales', roles: { viewer: [{ source: 'hr', group: 'sales' }] } },
  ],
  lifecycle: { externalValidity: 'P30D' },
};

async function membershipState(db: Db): Promise<string[]> {
  const rows = await db.query<{ email: string; workspace_id: string; role: string; status: string; origin: string }>(
    `select p.email, m.workspace_id, m.role, m.status, m.origin from memberships m join people p on p.id = m.person_id
      order by p.email, m.workspace_id, m.origin`,
  );
  return rows.rows.map((r) => `${r.email} ${r.workspace_id} ${r.role} ${r.status} ${r.origin}`);
}

describe.each(STORE_KINDS)('ingest → queue → reconcile on %s', (kind) => {
  let store: TestStore;
  let pipeline: Pipeline;

  beforeAll(async () => {
    store = await openTestStore(kind);
    pipeline = await createPipeline(store.db, CONFIG, kind);
    pipeline.startWorker();
  });
  afterAll(async () => {
    await pipeline?.close();
    await store?.close();
  });

  it('10,000 users and 100 groups become the memberships the rules say; the same data again changes nothing', async () => {
    const users = Array.from({ length: 10_000 }, (_, i) => user('hr', i));
    for (let i = 0; i < users.length; i += 1000) await pipeline.ingest.writeUsers('hr', users.slice(i, i + 1000));
    // group k (k < 100) holds users whose number ≡ k (mod 100); group 0 is "everyone"-like for the rules below
    const groups = Array.from({ length: 100 }, (_, k) =>
      group('hr', k === 0 ? 'editors' : k === 1 ? 'sales' : `team${k}`, users.filter((_, i) => i % 100 === k).map((u) => u.id)),
    );
    groups.push(group('hr', 'everyone', users.filter((_, i) => i % 2 === 0).map((u) => u.id)));
    await pipeline.ingest.writeGroups('hr', groups);
    await pipeline.drain();

    const counts = await store.db.query<{ workspace_id: string; role: string; n: number }>(
      `select workspace_id, role, count(*)::int as n from memberships where status = 'active' group by 1, 2 order by 1, 2`,
    );
    // editors: users ≡ 0 (mod 100) = 100 (all even, so editor beats viewer); viewers: the other 4,900 even users
    expect(counts.rows).toEqual([
      { workspace_id: 'analytics', role: 'editor', n: 100 },
      { workspace_id: 'analytics', role: 'viewer', n: 4900 },
      { workspace_id: 'sales', role: 'viewer', n: 100 },
    ]);
    const people = await store.db.query<{ n: number }>('select count(*)::int as n from people');
    expect(people.rows[0]?.n).toBe(10_000);

    const before = await store.db.query<{ v: number; n: number }>('select max(version) as v, count(*)::int as n from source_users');
    const jobsBefore = await pipeline.changes.queue.getJobCountByTypes('completed', 'waiting', 'active', 'delayed');
    const publishedBefore = pipeline.publisher.published;
    for (let i = 0; i < users.length; i += 1000) {
      const written = await pipeline.ingest.writeUsers('hr', users.slice(i, i + 1000));
      expect(written.every((w) => w.status === 'unchanged')).toBe(true);
    }
    const rewritten = await pipeline.ingest.writeGroups('hr', groups);
    expect(rewritten.every((w) => w.status === 'unchanged')).toBe(true);
    const after = await store.db.query<{ v: number; n: number }>('select max(version) as v, count(*)::int as n from source_users');
    expect(after.rows[0]).toEqual(before.rows[0]);
    expect(pipeline.publisher.published).toBe(publishedBefore);
    expect(await pipeline.changes.queue.getJobCountByTypes('completed', 'waiting', 'active', 'delayed')).toBe(jobsBefore);
  });

  it('one user written alone (as SCIM writes): the same content again writes and publishes nothing; a new e-mail touches both people', async () => {
    const bob = user('hr', 'bob-alone');
    const before = pipeline.publisher.published;
    const [created] = await pipeline.ingest.writeUsers('hr', [bob]);
    expect(created).toMatchObject({ id: bob.id, status: 'created' });
    expect(pipeline.publisher.published - before).toBe(1);

    const [same] = await pipeline.ingest.writeUsers('hr', [bob]);
    expect(same).toEqual({ ...created, status: 'unchanged' });
    expect(pipeline.publisher.published - before).toBe(1);

    const [moved] = await pipeline.ingest.writeUsers('hr', [{ ...bob, email: 'bob-moved@example.com' }]);
    expect(moved?.status).toBe('updated');
    expect(moved?.version).toBeGreaterThan(created?.version ?? Infinity);
    expect(pipeline.publisher.published - before).toBe(3);
    const stored = await store.db.query<{ email: string; version: number }>('select email, version from source_users where source_id = $1 and id = $2', ['hr', bob.id]);
    expect(stored.rows).toEqual([{ email: 'bob-moved@example.com', version: moved?.version }]);

    await pipeline.ingest.deleteUsers('hr', [bob.id]);
    const [back] = await pipeline.ingest.writeUsers('hr', [bob]);
    expect(back?.status).toBe('created');
    await pipeline.drain();
  });

  it('a deactivated user is suspended at once, reactivated is active again, each with an audit row and its cause', async () => {
    const alice = user('hr', 'alice');
    await pipeline.ingest.writeUsers('hr', [alice]);
    await pipeline.drain();
    await pipeline.ingest.changeGroupMembers('hr', group('hr', 'editors', undefined).id, { add: [alice.id] });
    await pipeline.drain();
    const state = async () =>
      (await store.db.query<{ role: string; status: string }>(
        `select m.role, m.status from memberships m join people p on p.id = m.person_id where p.email = 'alice@example.com' and m.workspace_id = 'analytics'`,
      )).rows;
    expect(await state()).toEqual([{ role: 'editor', status: 'active' }]);

    await pipeline.ingest.writeUsers('hr', [{ ...alice, active: false }], { cause: 'hr: SCIM PATCH active=false' });
    await pipeline.drain();
    expect(await state()).toEqual([{ role: 'editor', status: 'suspended' }]);

    await pipeline.ingest.writeUsers('hr', [alice], { cause: 'hr: SCIM PATCH active=true' });
    await pipeline.drain();
    expect(await state()).toEqual([{ role: 'editor', status: 'active' }]);

    const audit = await store.db.query<{ action: string; actor: string; cause: string; before: { status: string } | null; after: { status: string } }>(
      `select a.action, a.actor, a.cause, a.before, a.after from audit_log a join people p on p.id = a.person_id
        where p.email = 'alice@example.com' order by a.id`,
    );
    expect(audit.rows.map((r) => [r.action, r.actor, r.cause, r.before?.status ?? null, r.after.status])).toEqual([
      ['membership.granted', 'source:hr', 'hr: group members changed (added to group editors)', null, 'active'],
      ['membership.suspended', 'source:hr', 'hr: SCIM PATCH active=false (user deactivated)', 'active', 'suspended'],
      ['membership.granted', 'source:hr', 'hr: SCIM PATCH active=true (user reactivated)', 'suspended', 'active'],
    ]);
    const events = await store.db.query<{ type: string }>(
      `select o.type from outbox o join people p on p.id = o.person_id where p.email = 'alice@example.com' order by o.id`,
    );
    expect(events.rows.map((e) => e.type)).toEqual(['membership.granted', 'membership.suspended', 'membership.granted']);
  });

  it('correlates people across sources by e-mail, case-insensitively; the highest role wins; externals get a validity', async () => {
    const hrBob = user('hr', 'bob', { email: 'Bob@Partner.org', userName: 'bob-hr' });
    const dirBob = user('dir', 'bob', { email: 'bob@partner.ORG', userName: 'bob-dir', givenName: 'Robert' });
    await pipeline.ingest.writeUsers('hr', [hrBob]);
    await pipeline.ingest.writeUsers('dir', [dirBob]);
    await pipeline.ingest.writeGroups('hr', [group('hr', 'editors', undefined)]);
    await pipeline.ingest.changeGroupMembers('hr', group('hr', 'editors', undefined).id, { add: [hrBob.id] });
    await pipeline.ingest.writeGroups('dir', [group('dir', 'admins', [dirBob.id])]);
    await pipeline.drain();
    const rows = await store.db.query<{ email: string; kind: string; given_name: string; role: string; valid_until: Date; links: number }>(
      `select p.email, p.kind, p.given_name, m.role, m.valid_until, (select count(*)::int from person_links l where l.person_id = p.id) as links
         from people p join memberships m on m.person_id = p.id where lower(p.email) = 'bob@partner.org'`,
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ email: 'bob@partner.org', kind: 'external', given_name: 'Robert', role: 'admin', links: 2 });
    expect(rows.rows[0]?.valid_until.toISOString()).toBe(new Date(pipeline.clock.now.getTime() + 30 * 86_400_000).toISOString());

    // leaving the admin group drops Bob to editor; deleting the dir account changes nothing more
    await pipeline.ingest.writeGroups('dir', [group('dir', 'admins', [])]);
    await pipeline.drain();
    expect((await store.db.query<{ role: string }>(`select m.role from memberships m join people p on p.id = m.person_id where p.email = 'bob@partner.org'`)).rows).toEqual([{ role: 'editor' }]);
    await pipeline.ingest.deleteUsers('hr', [hrBob.id]);
    await pipeline.drain();
    expect((await store.db.query<{ status: string }>(`select m.status from memberships m join people p on p.id = m.person_id where p.email = 'bob@partner.org'`)).rows).toEqual([{ status: 'suspended' }]);
  });

  it('reports each kind of grant change in the audit log and the outbox, with the state before and after', async () => {
    const dave = user('hr', 'dave');
    const step = async (write: () => Promise<unknown>) => {
      await write();
      await pipeline.drain();
    };
    await step(() => pipeline.ingest.writeGroups('hr', [group('hr', 'everyone', undefined), group('hr', 'editors', undefined)]));
    await step(() => pipeline.ingest.writeUsers('hr', [dave]));
    await step(() => pipeline.ingest.changeGroupMembers('hr', group('hr', 'everyone', undefined).id, { add: [dave.id] }));
    await step(() => pipeline.ingest.changeGroupMembers('hr', group('hr', 'editors', undefined).id, { add: [dave.id] }));
    await step(() => pipeline.ingest.writeUsers('hr', [{ ...dave, active: false }]));
    await step(() => pipeline.ingest.writeUsers('hr', [dave]));

    const grant = (
      await store.db.query<{ id: string; person_id: string }>(
        `select m.id, m.person_id from memberships m join people p on p.id = m.person_id where p.email = 'dave@example.com' and m.workspace_id = 'analytics'`,
      )
    ).rows[0];
    const state = (role: string, status: string, rule: string) => ({ role, status, origin: 'rules', sourceId: 'hr', rule, validUntil: null });
    const viewer = state('viewer', 'active', 'viewer: */everyone');
    const editor = state('editor', 'active', 'editor: hr/editors');
    const audit = await store.db.query<{ action: string; workspace_id: string; before: unknown; after: unknown }>(
      'select action, workspace_id, before, after from audit_log where person_id = $1 order by id',
      [grant?.person_id],
    );
    expect(audit.rows).toEqual([
      { action: 'membership.granted', workspace_id: 'analytics', before: null, after: viewer },
      { action: 'membership.role_changed', workspace_id: 'analytics', before: viewer, after: editor },
      { action: 'membership.suspended', workspace_id: 'analytics', before: editor, after: { ...editor, status: 'suspended' } },
      { action: 'membership.granted', workspace_id: 'analytics', before: { ...editor, status: 'suspended' }, after: editor },
    ]);
    const events = await store.db.query<{ type: string; workspace_id: string; payload: unknown }>(
      'select type, workspace_id, payload from outbox where person_id = $1 order by id',
      [grant?.person_id],
    );
    const event = (fields: Record<string, unknown>) => ({
      membershipId: grant?.id,
      workspaceId: 'analytics',
      personId: grant?.person_id,
      email: 'dave@example.com',
      origin: 'rules',
      validUntil: null,
      ...fields,
    });
    expect(events.rows).toEqual([
      { type: 'membership.granted', workspace_id: 'analytics', payload: event({ role: 'viewer', status: 'active' }) },
      { type: 'membership.role_changed', workspace_id: 'analytics', payload: event({ role: 'editor', previousRole: 'viewer', status: 'active' }) },
      { type: 'membership.suspended', workspace_id: 'analytics', payload: event({ role: 'editor', status: 'suspended' }) },
      { type: 'membership.granted', workspace_id: 'analytics', payload: event({ role: 'editor', status: 'active', previousStatus: 'suspended' }) },
    ]);
  });

  it('never touches manual or invite grants', async () => {
    const carol = user('hr', 'carol');
    await pipeline.ingest.writeUsers('hr', [carol]);
    await pipeline.drain();
    const person = await store.db.query<{ id: string }>(`select id from people where email = 'carol@example.com'`);
    const personId = person.rows[0]?.id;
    await store.db.query(`insert into memberships (person_id, workspace_id, origin, role, status) values ($1, 'sales', 'manual', 'admin', 'active')`, [personId]);
    await pipeline.ingest.writeUsers('hr', [{ ...carol, active: false }]);
    await pipeline.drain();
    expect(await membershipState(store.db).then((s) => s.filter((l) => l.startsWith('carol@')))).toEqual(['carol@example.com sales admin active manual']);
  });
});
