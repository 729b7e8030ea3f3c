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
