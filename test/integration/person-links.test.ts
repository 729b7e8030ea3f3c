import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from '../../src/admin/add-member.js';
import { adminContext } from '../../src/admin/context.js';
import { DurablePublisher } from '../../src/ingest/durable-publisher.js';
import { startAdminApp } from '../helpers/admin-app.js';
import { group, user } from '../helpers/data.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';
import { createPipeline, type Pipeline } from '../helpers/pipeline.js';

// Two sources: `dir` (precedence 5) outranks `hr` (precedence 0) for a person's address and names.
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
    { id: 'sales', name: 'Sales', roles: {} },
  ],
};

describe.each(STORE_KINDS)('sticky person links on %s', (kind) => {
  let store: TestStore;
  let pipeline: Pipeline;

  beforeAll(async () => {
    store = await openTestStore(kind);
    pipeline = await createPipeline(store.db, CONFIG, `links-${kind}`);
    pipeline.startWorker();
  });
  afterAll(async () => {
    await pipeline?.close();
    await store?.close();
  });

  const personOf = async (email: string) =>
    (await store.db.query<{ id: string; email: string; status: string; email_conflict: Record<string, string> | null }>(
      'select id, email, status, email_conflict from people where lower(email) = $1',
      [email],
    )).rows[0];
  const grantsOf = async (personId: string) =>
    (await store.db.query<{ workspace_id: string; origin: string; role: string; status: string }>(
      'select workspace_id, origin, role, status from memberships where person_id = $1 order by workspace_id, origin',
      [personId],
    )).rows.map((g) => `${g.workspace_id} ${g.origin} ${g.role} ${g.status}`);
  const actionsOf = async (personId: string) =>
    (await store.db.query<{ action: string; before: unknown; after: unknown }>('select action, before, after from audit_log where person_id = $1 order by id', [personId])).rows;

  it('a renamed account moves its person: same id, rule and manual grants kept, person.email_changed in audit and outbox', async () => {
    const ann = user('hr', 'ann.lee');
    await pipeline.ingest.writeUsers('hr', [ann]);
    await pipeline.ingest.writeGroups('hr', [group('hr', 'editors', [ann.id])]);
    await pipeline.drain();
    const before = await personOf('ann.lee@example.com');
    expect(before).toBeDefined();
    await addMember(adminContext(store.db, pipeline.config, () => pipeline.clock.now), { kind: 'system' }, 'sales', { email: 'ann.lee@example.com', role: 'viewer' });
    expect(await grantsOf(before!.id)).toEqual(['analytics rules editor active', 'sales manual viewer active']);

    await pipeline.ingest.writeUsers('hr', [{ ...ann, email: 'ann.kim@example.com', userName: 'ann.kim@example.com', familyName: 'Kim' }], { cause: 'hr: SCIM PUT' });
    await pipeline.drain();

    expect(await personOf('ann.lee@example.com')).toBeUndefined();
    const after = await personOf('ann.kim@example.com');
    expect(after).toMatchObject({ id: before!.id, status: 'active', email_conflict: null });
    expect(await grantsOf(before!.id)).toEqual(['analytics rules editor active', 'sales manual viewer active']);
    const actions = await actionsOf(before!.id);
    expect(actions.map((a) => a.action)).toEqual(['membership.granted', 'membership.granted', 'person.email_changed']);
    expect(actions[2]).toMatchObject({ before: { email: 'ann.lee@example.com' }, after: { email: 'ann.kim@example.com', sourceId: 'hr' } });
    const events = await store.db.query<{ type: string; payload: Record<string, unknown> }>(
      `select type, payload from outbox where person_id = $1 and type like 'person.%'`,
      [before!.id],
    );
    expect(events.rows).toEqual([
      { type: 'person.email_changed', payload: { personId: before!.id, before: 'ann.lee@example.com', after: 'ann.kim@example.com', sourceId: 'hr' } },
    ]);
    const people = await store.db.query<{ n: number }>(`select count(*)::int as n from people where email like 'ann.%'`);
    expect(people.rows[0]?.n).toBe(1);
  });

  it('two sources rename one person: the higher-precedence one moves it at once, the other alone does not; either order ends on one person', async () => {
    for (const [first, second, movesAfterFirst] of [['dir', 'hr', true], ['hr', 'dir', false]] as const) {
      const name = `bo-${first}`;
      const accounts = { hr: user('hr', name), dir: user('dir', name) };
      await pipeline.ingest.writeUsers('hr', [accounts.hr]);
      await pipeline.ingest.writeUsers('dir', [accounts.dir]);
      await pipeline.drain();
      const person = await personOf(`${name}@example.com`);
      const renamed = `${name}.new@example.com`;

      await pipeline.ingest.writeUsers(first, [{ ...accounts[first], email: renamed }]);
      await pipeline.drain();
      expect((await personOf(movesAfterFirst ? renamed : `${name}@example.com`))?.id).toBe(person!.id);

      await pipeline.ingest.writeUsers(second, [{ ...accounts[second], email: renamed }]);
      await pipeline.drain();
      expect((await personOf(renamed))?.id).toBe(person!.id);
      expect(await personOf(`${name}@example.com`)).toBeUndefined();
      const links = await store.db.query<{ n: number }>('select count(*)::int as n from person_links where person_id = $1', [person!.id]);
      expect(links.rows[0]?.n).toBe(2);
    }
  });

  it('a rename onto another person’s address merges nothing: both keep their access, the conflict is recorded until it is gone', async () => {
    const carl = user('hr', 'carl');
    const dana = user('dir', 'dana');
    await pipeline.ingest.writeUsers('hr', [carl]);
    await pipeline.ingest.writeUsers('dir', [dana]);
    await pipeline.ingest.writeGroups('hr', [group('hr', 'editors', [carl.id]), group('hr', 'everyone', [])]);
    await pipeline.ingest.writeGroups('dir', [group('dir', 'admins', [dana.id])]);
    await pipeline.drain();
    const carlPerson = await personOf('carl@example.com');
    const danaPerson = await personOf('dana@example.com');

    await pipeline.ingest.writeUsers('hr', [{ ...carl, email: 'dana@example.com' }]);
    await pipeline.drain();
    expect(await personOf('carl@example.com')).toMatchObject({
      id: carlPerson!.id,
      email_conflict: { email: 'dana@example.com', heldBy: danaPerson!.id, account: `hr/${carl.id}` },
    });
    expect(await personOf('dana@example.com')).toMatchObject({ id: danaPerson!.id, email_conflict: null });
    expect(await grantsOf(carlPerson!.id)).toEqual(['analytics rules editor active']);
    expect(await grantsOf(danaPerson!.id)).toEqual(['analytics rules admin active']);
    const conflictRows = (await actionsOf(carlPerson!.id)).filter((a) => a.action === 'person.email_conflict');
    expect(conflictRows).toEqual([{ action: 'person.email_conflict', before: { email: 'carl@example.com' }, after: { email: 'dana@example.com', heldBy: danaPerson!.id, sourceId: 'hr' } }]);

    // Reconciling again records nothing new; renaming back clears the conflict.
    await pipeline.ingest.writeUsers('hr', [{ ...carl, email: 'dana@example.com', displayName: 'Carl again' }]);
    await pipeline.drain();
    expect((await actionsOf(carlPerson!.id)).filter((a) => a.action === 'person.email_conflict')).toHaveLength(1);
    await pipeline.ingest.writeUsers('hr', [carl]);
    await pipeline.drain();
    expect(await personOf('carl@example.com')).toMatchObject({ id: carlPerson!.id, email_conflict: null });
  });

  it('a deleted account is unlinked: its person becomes inactive and loses the rule grant; a new account at that address joins the same person', async () => {
    const eve = user('dir', 'eve');
    await pipeline.ingest.writeUsers('dir', [eve]);
    await pipeline.ingest.writeGroups('dir', [group('dir', 'admins', [eve.id])]);
    await pipeline.drain();
    const person = await personOf('eve@example.com');
    expect(await grantsOf(person!.id)).toEqual(['analytics rules admin active']);

    await pipeline.ingest.deleteUsers('dir', [eve.id]);
    await pipeline.drain();
    expect(await personOf('eve@example.com')).toMatchObject({ id: person!.id, status: 'inactive' });
    expect(await grantsOf(person!.id)).toEqual(['analytics rules admin suspended']);
    const links = await store.db.query<{ n: number }>('select count(*)::int as n from person_links where person_id = $1', [person!.id]);
    expect(links.rows[0]?.n).toBe(0);

    const again = user('hr', 'eve');
    await pipeline.ingest.writeUsers('hr', [again]);
    await pipeline.drain();
    expect(await personOf('eve@example.com')).toMatchObject({ id: person!.id, status: 'active' });
  });

  it('an admin settles a conflict by unlinking the account: it then backs the person holding its address, whose view shows it', async () => {
    const app = await startAdminApp(store.db, CONFIG);
    app.ctx.relayChanges = () => new DurablePublisher({ db: store.db, inner: pipeline.changes }).relay();
    try {
      const finn = user('hr', 'finn');
      const gail = user('dir', 'gail');
      await pipeline.ingest.writeUsers('hr', [finn]);
      await pipeline.ingest.writeUsers('dir', [gail]);
      await pipeline.ingest.changeGroupMembers('hr', group('hr', 'editors', undefined).id, { add: [finn.id] });
      await pipeline.drain();
      const finnPerson = await personOf('finn@example.com');
      const gailPerson = await personOf('gail@example.com');
      await pipeline.ingest.writeUsers('hr', [{ ...finn, email: 'gail@example.com' }]);
      await pipeline.drain();

      const view = await app.call<{ person: { emailConflict: { email: string; heldBy: string } | null; accounts: Array<{ sourceId: string; accountId: string; email: string }> } }>('GET', `/people/${finnPerson!.id}`);
      expect(view.body.person.emailConflict).toMatchObject({ email: 'gail@example.com', heldBy: gailPerson!.id });
      expect(view.body.person.accounts).toMatchObject([{ sourceId: 'hr', accountId: finn.id, email: 'gail@example.com' }]);

      const person = await app.tokenFor('gail@example.com');
      expect((await app.call('DELETE', `/people/${finnPerson!.id}/links/hr/${finn.id}`, { token: person })).status).toBe(403);
      expect((await app.call('DELETE', `/people/${finnPerson!.id}/links/dir/${finn.id}`)).status).toBe(404);
      expect((await app.call('DELETE', `/people/${finnPerson!.id}/links/hr/${finn.id}`)).status).toBe(204);
      await pipeline.drain();

      expect(await personOf('finn@example.com')).toMatchObject({ id: finnPerson!.id, status: 'inactive', email_conflict: null });
      expect(await grantsOf(finnPerson!.id)).toEqual(['analytics rules editor suspended']);
      expect(await grantsOf(gailPerson!.id)).toEqual(['analytics rules editor active']);
      const gailView = await app.call<{ person: { accounts: Array<{ sourceId: string }> } }>('GET', `/people/${gailPerson!.id}`);
      expect(gailView.body.person.accounts.map((a) => a.sourceId)).toEqual(['dir', 'hr']);
      expect((await actionsOf(finnPerson!.id)).map((a) => a.action)).toContain('person.account_unlinked');
    } finally {
      await app.close();
    }
  });
});
