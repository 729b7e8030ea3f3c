import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { group, user } from '../../test/helpers/data.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../../test/helpers/db.js';
import { parkChanges } from '../store/pending-changes.js';
import { DurablePublisher } from './durable-publisher.js';
import { IngestConflictError } from './errors.js';
import { Ingest } from './ingest.js';
import type { PersonChange } from './records.js';

/** What ingest writes to observed state and which changes it publishes, on both stores. */
describe.each(STORE_KINDS)('ingest (%s)', (kind) => {
  let store: TestStore;
  let published: PersonChange[];
  let ingest: Ingest;
  let n = 0;
  /** A source of its own per test. */
  let source: string;
  beforeAll(async () => {
    store = await openTestStore(kind);
    ingest = new Ingest({ db: store.db, changes: { publish: async (c) => void published.push(...c) } });
  });
  beforeEach(async () => {
    published = [];
    source = `s${++n}`;
    await store.db.query(`insert into sources (id, kind) values ($1, 'scim')`, [source]);
  });
  afterAll(async () => {
    await store?.close();
  });
  const keys = () => published.map((c) => `${c.key}: ${c.cause}`).sort();
  const membersOf = async (groupName: string) =>
    (await store.db.query<{ user_id: string }>('select user_id from source_group_members where source_id = $1 and group_id = $2 order by user_id', [source, group(source, groupName, []).id])).rows.map((r) => r.user_id);

  it('writes a user once: created, then unchanged (same version, nothing published), then updated', async () => {
    const [created] = await ingest.writeUsers(source, [user(source, 1)]);
    expect(created?.status).toBe('created');
    const [same] = await ingest.writeUsers(source, [user(source, 1)]);
    expect(same).toEqual({ ...created, status: 'unchanged' });
    const [moved] = await ingest.writeUsers(source, [user(source, 1, { email: 'Moved@Example.com' })]);
    expect(moved?.status).toBe('updated');
    expect(moved!.version).toBeGreaterThan(created!.version);
    expect(keys()).toEqual([`moved@example.com: ${source}: user written (user updated)`, `user1@example.com: ${source}: user written (e-mail changed)`, `user1@example.com: ${source}: user written (user created)`]);
  });

  it('a batch writes only the users that changed and reports each in the order given', async () => {
    await ingest.writeUsers(source, [user(source, 1), user(source, 2)]);
    published = [];
    const rows = await ingest.writeUsers(source, [user(source, 3), user(source, 2), user(source, 1, { active: false })], { cause: 'full sync' });
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [user(source, 3).id, 'created'],
      [user(source, 2).id, 'unchanged'],
      [user(source, 1).id, 'updated'],
    ]);
    expect(keys()).toEqual(['user1@example.com: full sync (user deactivated)', 'user3@example.com: full sync (user created)']);
  });

  it('a user name taken in the source is a conflict naming the attribute, alone or in a batch', async () => {
    await ingest.writeUsers(source, [user(source, 1)]);
    const taken = user(source, 2, { userName: 'user1@example.com' });
    await expect(ingest.writeUsers(source, [taken])).rejects.toMatchObject({ code: 'ingest_conflict', resource: 'user', attribute: 'userName' });
    await expect(ingest.writeUsers(source, [taken, user(source, 3)])).rejects.toBeInstanceOf(IngestConflictError);
    const stored = await store.db.query('select id from source_users where source_id = $1', [source]);
    expect(stored.rowCount).toBe(1);
  });

  it('writes groups with their member lists: members added or removed are touched, an unchanged list writes nothing', async () => {
    const ids = [1, 2, 3].map((i) => user(source, i).id);
    await ingest.writeUsers(source, [1, 2, 3].map((i) => user(source, i)));
    published = [];
    const [created] = await ingest.writeGroups(source, [group(source, 'staff', ids.slice(0, 2)), group(source, 'empty', [])]);
    expect(created?.status).toBe('created');
    expect(keys()).toEqual([`user1@example.com: ${source}: group written (added to group staff)`, `user2@example.com: ${source}: group written (added to group staff)`]);
    published = [];
    const [same] = await ingest.writeGroups(source, [group(source, 'staff', [ids[1]!, ids[0]!])]);
    expect(same).toEqual({ ...created, status: 'unchanged' });
    expect(published).toEqual([]);
    const [changed] = await ingest.writeGroups(source, [group(source, 'staff', ids.slice(1))]);
    expect(changed?.status).toBe('updated');
    expect(changed!.version).toBeGreaterThan(created!.version);
    expect(keys()).toEqual([`user1@example.com: ${source}: group written (removed from group staff)`, `user3@example.com: ${source}: group written (added to group staff)`]);
    expect(await membersOf('staff')).toEqual(ids.slice(1).sort());
  });

  it('a renamed group touches every member', async () => {
    await ingest.writeUsers(source, [user(source, 1), user(source, 2)]);
    await ingest.writeGroups(source, [group(source, 'staff', [user(source, 1).id, user(source, 2).id])]);
    published = [];
    const [renamed] = await ingest.writeGroups(source, [group(source, 'staff', undefined, { displayName: 'Staff' })]);
    expect(renamed?.status).toBe('updated');
    expect(keys()).toEqual([`user1@example.com: ${source}: group written (group renamed)`, `user2@example.com: ${source}: group written (group renamed)`]);
  });

  it('changes members one by one: only real additions and removals count, and bump the version', async () => {
    await ingest.writeUsers(source, [user(source, 1), user(source, 2)]);
    const [g] = await ingest.writeGroups(source, [group(source, 'staff', [user(source, 1).id])]);
    published = [];
    const id = group(source, 'staff', []).id;
    const change = await ingest.changeGroupMembers(source, id, { add: [user(source, 1).id, user(source, 2).id], remove: [user(source, 1).id] });
    expect(change.added.sort()).toEqual([user(source, 1).id, user(source, 2).id].sort());
    expect(change.removed).toEqual([user(source, 1).id]);
    expect(change.version).toBeGreaterThan(g!.version);
    const again = await ingest.changeGroupMembers(source, id, { add: [user(source, 2).id] });
    expect(again).toEqual({ added: [], removed: [], version: undefined });
    // The member list was changed member by member: a whole list equal to the old one is compared again.
    await ingest.writeGroups(source, [group(source, 'staff', [user(source, 1).id])]);
    expect(await membersOf('staff')).toEqual([user(source, 1).id]);
  });

  it('deleting users drops them from their groups; deleting a group touches its members', async () => {
    await ingest.writeUsers(source, [user(source, 1), user(source, 2)]);
    await ingest.writeGroups(source, [group(source, 'staff', [user(source, 1).id, user(source, 2).id])]);
    published = [];
    expect(await ingest.deleteUsers(source, [user(source, 1).id, user(source, 9).id])).toBe(1);
    expect(await ingest.deleteUsers(source, [user(source, 1).id])).toBe(0);
    expect(await membersOf('staff')).toEqual([user(source, 2).id]);
    expect(keys()).toEqual([`user1@example.com: ${source}: user deleted (user deleted)`]);
    // The group's stored member list changed: the old whole list, written again once the user is back, is compared again.
    await ingest.writeUsers(source, [user(source, 1)]);
    await ingest.writeGroups(source, [group(source, 'staff', [user(source, 1).id, user(source, 2).id])]);
    expect(await membersOf('staff')).toHaveLength(2);
    published = [];
    expect(await ingest.deleteGroups(source, [group(source, 'staff', []).id])).toBe(1);
    expect(await membersOf('staff')).toEqual([]);
    expect(keys()).toEqual([`user1@example.com: ${source}: group deleted (group deleted)`, `user2@example.com: ${source}: group deleted (group deleted)`]);
  });

  it('parks changes the queue cannot take and relays them, with the time they were parked, once it answers', async () => {
    let down = true;
    const relayed: PersonChange[] = [];
    const publisher = new DurablePublisher({
      db: store.db,
      inner: {
        publish: async (c) => {
          if (down) throw new Error('queue down');
          relayed.push(...c);
        },
      },
    });
    const parking = new Ingest({ db: store.db, changes: publisher });
    await parking.writeUsers(source, [user(source, 1), user(source, 2)]);
    await expect(publisher.relay()).rejects.toThrow('queue down');
    down = false;
    expect(await publisher.relay(1)).toBe(1);
    expect(await publisher.relay()).toBe(1);
    expect(await publisher.relay()).toBe(0);
    expect(relayed.map((c) => c.key).sort()).toEqual(['user1@example.com', 'user2@example.com']);
    for (const c of relayed) expect(c.observedAt).toEqual(expect.any(Number));
  });
  it('relays every parked change, a batch at a time, until none is left', async () => {
    const batches: number[] = [];
    const publisher = new DurablePublisher({ db: store.db, inner: { publish: async (c) => void batches.push(c.length) } });
    await parkChanges(store.db, Array.from({ length: 12 }, (_, i) => ({ key: `parked${i}@example.com`, sourceId: source, cause: 'recovery' })));
    expect(await publisher.relayAll(5)).toBe(12);
    expect(batches).toEqual([5, 5, 2]);
    expect(await publisher.relayAll(5)).toBe(0);
  });
});
