import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, STORE_KINDS, type TestStore } from '../../test/helpers/db.js';
import { migrate } from './migrate.js';

describe.each(STORE_KINDS)('the %s store', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(kind);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('applies migrations once', async () => {
    expect(await migrate(store.db)).toEqual([]);
    const tables = await store.db.query<{ n: number }>(
      `select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name in ('source_users','people','memberships','outbox','sync_runs')`,
    );
    expect(tables.rows[0]?.n).toBe(5);
  });

  it('reports rows for SELECT and RETURNING, and affected rows for other statements', async () => {
    await store.db.query(`insert into sources (id, kind) values ('a', 'scim'), ('b', 'scim')`);
    expect((await store.db.query('select id from sources where id = $1', ['a'])).rowCount).toBe(1);
    expect((await store.db.query('select id from sources where id = $1', ['zzz'])).rowCount).toBe(0);
    expect((await store.db.query(`update sources set precedence = 3 where id in ('a','b')`)).rowCount).toBe(2);
    const returned = await store.db.query<{ id: string }>(`update sources set precedence = 4 where id = 'a' returning id`);
    expect(returned.rows).toEqual([{ id: 'a' }]);
  });

  it('returns bigint as a number and timestamptz as a Date', async () => {
    const r = await store.db.query<{ n: number; t: Date }>(`select 9007199254740991::bigint as n, now() as t`);
    expect(r.rows[0]?.n).toBe(9007199254740991);
    expect(r.rows[0]?.t).toBeInstanceOf(Date);
  });

  it('checks the references of grants, links and group members per statement, and cascades deletes', async () => {
    const db = store.db;
    await db.query(`insert into sources (id, kind) values ('refs', 'scim')`);
    await db.query(`insert into workspaces (id, name) values ('refs-ws', 'Refs')`);
    const person = (await db.query<{ id: string }>(`insert into people (email) values ('refs@example.com') returning id`)).rows[0]?.id;
    const missing = '00000000-0000-4000-8000-000000000001';
    const grant = (personId: string, ws: string) =>
      db.query(`insert into memberships (person_id, workspace_id, origin, role, status) values ($1, $2, 'manual', 'viewer', 'active')`, [personId, ws]);

    await expect(grant(missing, 'refs-ws')).rejects.toMatchObject({ code: '23503', message: expect.stringContaining(`missing person ${missing}`) });
    await expect(grant(person!, 'nowhere')).rejects.toMatchObject({ code: '23503', message: expect.stringContaining('missing workspace nowhere') });
    await expect(db.query(`update memberships set person_id = $1`, [missing])).resolves.toBeDefined(); // no rows yet
    await grant(person!, 'refs-ws');
    await expect(db.query(`update memberships set workspace_id = 'nowhere' where person_id = $1`, [person])).rejects.toMatchObject({ code: '23503' });
    await expect(
      db.query(`insert into person_links (source_id, source_user_id, person_id) values ('refs', $1, $1)`, [missing]),
    ).rejects.toMatchObject({ code: '23503' });
    await expect(
      db.query(`insert into source_group_members (source_id, group_id, user_id) values ('refs', $1, $1)`, [missing]),
    ).rejects.toMatchObject({ code: '23503', message: expect.stringContaining('missing group') });
    await expect(
      db.query(`insert into source_users (source_id, id, user_name, content_hash) values ('no-such-source', $1, 'x', 'h')`, [missing]),
    ).rejects.toMatchObject({ code: '23503', message: expect.stringContaining('missing source') });

    await db.query(`insert into person_links (source_id, source_user_id, person_id) values ('refs', $1, $2)`, [missing, person]);
    await db.query('delete from people where id = $1', [person]);
    const left = await db.query<{ n: number }>(
      `select (select count(*) from memberships where person_id = $1)::int + (select count(*) from person_links where person_id = $1)::int as n`,
      [person],
    );
    expect(left.rows[0]?.n).toBe(0);

    // The other cascades: a workspace's grants, a group's members, a source's users.
    const other = (await db.query<{ id: string }>(`insert into people (email) values ('refs2@example.com') returning id`)).rows[0]?.id;
    await grant(other!, 'refs-ws');
    await db.query('delete from workspaces where id = $1', ['refs-ws']);
    expect((await db.query('select 1 from memberships where person_id = $1', [other])).rowCount).toBe(0);
    const groupId = '00000000-0000-4000-8000-000000000002';
    await db.query(`insert into source_groups (source_id, id, display_name, content_hash) values ('refs', $1, 'G', 'h')`, [groupId]);
    await db.query(`insert into source_group_members (source_id, group_id, user_id) values ('refs', $1, $2)`, [groupId, missing]);
    await db.query(`insert into source_users (source_id, id, user_name, content_hash) values ('refs', $1, 'u', 'h')`, [missing]);
    await db.query('delete from source_groups where source_id = $1 and id = $2', ['refs', groupId]);
    expect((await db.query('select 1 from source_group_members where group_id = $1', [groupId])).rowCount).toBe(0);
    await db.query(`delete from sources where id = 'refs'`);
    expect((await db.query(`select 1 from source_users where source_id = 'refs'`)).rowCount).toBe(0);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await store.db.transaction(async (tx) => {
      await tx.query(`insert into sources (id, kind) values ('kept', 'ldap')`);
    });
    await expect(
      store.db.transaction(async (tx) => {
        await tx.query(`insert into sources (id, kind) values ('lost', 'ldap')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const ids = await store.db.query<{ id: string }>(`select id from sources where id in ('kept','lost')`);
    expect(ids.rows).toEqual([{ id: 'kept' }]);
  });
});
