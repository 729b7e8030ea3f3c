import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './db.js';

const INT8 = 20;

export interface PgliteOptions {
  /** Directory the database persists in; omit for an in-memory database (tests). */
  dataDir?: string | undefined;
}

/** A `Db` over embedded PGlite: one connection, so transactions run one at a time. */
export async function createPgliteDb(options: PgliteOptions = {}): Promise<Db> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const pglite = await PGlite.create(options.dataDir, { parsers: { [INT8]: (v: string) => Number(v) } });

  // Like node-postgres: rows returned for a SELECT or RETURNING, rows affected for other statements.
  const toResult = <T>(r: { rows: unknown[]; fields: unknown[]; affectedRows?: number }): QueryResult<T> => ({
    rows: r.rows as T[],
    rowCount: r.fields.length > 0 ? r.rows.length : (r.affectedRows ?? 0),
  });

  return {
    kind: 'pglite',
    query: async (text, params) => toResult(await pglite.query(text, params as unknown[] | undefined)),
    transaction(fn) {
      return pglite.transaction(async (t) => {
        const tx: Queryable = { query: async (text, params) => toResult(await t.query(text, params as unknown[] | undefined)) };
        return fn(tx);
      });
    },
    async exec(sql) {
      await pglite.exec(sql);
    },
    async ping() {
      await pglite.query('select 1');
    },
    async close() {
      await pglite.close();
    },
  };
}
