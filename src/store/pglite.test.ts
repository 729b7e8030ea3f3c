import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import type { Db } from './db.js';
import { createPgliteDb } from './pglite.js';
import { autovacuum } from './pglite-autovacuum.js';
import { PgliteDataDirError } from './pglite-initdb.js';

describe('the PGlite store', () => {
  let db: Db;
  beforeAll(async () => {
    db = await createPgliteDb();
    await db.exec(`create table t (id int primary key, name text, tags text[], doc jsonb)`);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('runs a statement prepared after its first run with the same results, arrays and json included', async () => {
    const insert = 'insert into t (id, name, tags, doc) values ($1, $2, $3, $4)';
    for (let i = 1; i <= 4; i++) expect((await db.query(insert, [i, `n${i}`, ['a', `b${i}`], { i }])).rowCount).toBe(1);
    const select = 'select id, name, tags, doc from t where id = any($1::int[]) order by id';
    const runs = [await db.query(select, [[1, 3]]), await db.query(select, [[1, 3]]), await db.query(select, [[1, 3]])];
    for (const r of runs) expect(r.rows).toEqual([{ id: 1, name: 'n1', tags: ['a', 'b1'], doc: { i: 1 } }, { id: 3, name: 'n3', tags: ['a', 'b3'], doc: { i: 3 } }]);
    expect((await db.query('update t set name = $1 where id > $2', ['x', 2])).rowCount).toBe(2);
    expect((await db.query('update t set name = $1 where id > $2', ['y', 2])).rowCount).toBe(2);
  });

  it('takes dates, booleans, numbers and arrays of them, objects as JSON and bytes as parameters, prepared or not', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const text = 'select $1::timestamptz as t, $2::boolean as b, $3::int[] as n, $4::jsonb as j, $5::bytea as x, $6::text[] as s, $7::jsonb[] as js, $8::bigint as big';
    const params = [at, false, [1, 2, null], { a: [1, 'x'] }, new Uint8Array([1, 255]), ['a"b\\c', null, ''], [{ k: 1 }], 9007199254740991];
    for (let run = 0; run < 3; run++) {
      const r = await db.query(text, params);
      expect(r.rows[0]).toEqual({ t: at, b: false, n: [1, 2, null], j: { a: [1, 'x'] }, x: new Uint8Array([1, 255]), s: ['a"b\\c', null, ''], js: [{ k: 1 }], big: 9007199254740991 });
    }
  });

  it('answers statements sent at once each on its own, an error failing only its statement', async () => {
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => db.query<{ q: number }>('select $1::int / $2::int as q', [i, i % 5 === 0 ? 0 : 1])));
    results.forEach((r, i) => {
      if (i % 5 === 0) expect(r).toMatchObject({ status: 'rejected', reason: { code: '22012' } });
      else expect(r).toEqual({ status: 'fulfilled', value: { rows: [{ q: i }], rowCount: 1 } });
    });
  });

  it('rolls back a transaction whose callback throws, and keeps a prepared statement usable after its error', async () => {
    const insert = 'insert into t (id, name) values ($1, $2)';
    await expect(
      db.transaction(async (tx) => {
        await tx.query(insert, [10, 'ten']);
        await tx.query(insert, [10, 'again']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await db.query('select id from t where id = $1', [10])).rowCount).toBe(0);
    await db.query(insert, [10, 'ten']);
    expect((await db.query('select name from t where id = $1', [10])).rows).toEqual([{ name: 'ten' }]);
  });

  it('refuses to commit a transaction in which a statement failed, even when the callback caught it', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('insert into t (id, name) values ($1, $2)', [20, 'twenty']);
        await tx.query('insert into t (id, name) values ($1, $2)', [20, 'twice']).catch(() => {});
      }),
    ).rejects.toMatchObject({ code: '25P02' });
    expect((await db.query('select id from t where id = $1', [20])).rowCount).toBe(0);
  });

  it('runs a statement outside a transaction only after the transaction that holds the session', async () => {
    const order: string[] = [];
    const tx = db.transaction(async (t) => {
      await t.query('insert into t (id, name) values ($1, $2)', [30, 'in tx']);
      await new Promise((r) => setTimeout(r, 50));
      order.push('tx');
      throw new Error('roll back');
    });
    const outside = db.query('select count(*)::int as n from t where id = $1', [30]).then((r) => {
      order.push('outside');
      return r.rows[0];
    });
    await expect(tx).rejects.toThrow('roll back');
    expect(await outside).toEqual({ n: 0 });
    expect(order).toEqual(['tx', 'outside']);
  });
});

describe('autovacuum for PGlite', () => {
  it('analyses a table that grew and vacuums one with dead rows, by the thresholds autovacuum uses, then has nothing due', async () => {
    const pglite = await PGlite.create();
    try {
      await pglite.exec(`create table grown (id int primary key, v text); create table small (id int)`);
      await pglite.query(`insert into grown select i, 'v' from generate_series(1, 2000) i`);
      await pglite.query(`insert into small values (1)`);
      await pglite.query(`update grown set v = 'w' where id <= 1000`);
      await new Promise((r) => setTimeout(r, 1100)); // statistics reach the shared counters at most once a second
      await pglite.query('select 1');
      expect(await autovacuum(pglite)).toBe(1);
      const stats = await pglite.query<{ reltuples: number; n_dead_tup: number }>(
        `select c.reltuples, s.n_dead_tup from pg_class c join pg_stat_user_tables s on s.relid = c.oid where c.relname = 'grown'`,
      );
      expect(stats.rows[0]).toMatchObject({ reltuples: 2000, n_dead_tup: 0 });
      expect(await autovacuum(pglite)).toBe(0);
    } finally {
      await pglite.close();
    }
  });
});

describe('the PGlite data directory', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'idsync-pglite-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is initialised whole on first open, left-overs of a killed initialisation removed, and reopened with its data', async () => {
    const dir = path.join(root, 'pglite');
    await mkdir(path.join(root, 'pglite.init-deadbeef'));
    const first = await createPgliteDb({ dataDir: dir });
    await first.exec(`create table kept (v text); insert into kept values ('here')`);
    await first.close();
    expect((await readdir(root)).sort()).toEqual(['pglite']);
    const again = await createPgliteDb({ dataDir: dir });
    try {
      expect((await again.query('select v from kept')).rows).toEqual([{ v: 'here' }]);
    } finally {
      await again.close();
    }
  }, 120_000);

  it('refuses a directory that holds files but no database', async () => {
    const dir = path.join(root, 'not-a-db');
    await mkdir(dir);
    await writeFile(path.join(dir, 'something'), 'x');
    await expect(createPgliteDb({ dataDir: dir })).rejects.toBeInstanceOf(PgliteDataDirError);
  });
});
