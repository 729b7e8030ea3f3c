import pg from 'pg';
import { INT8_OID, type Db, type Queryable, type QueryResult } from './db.js';
import { arrayParameter } from './array-literal.js';
import { StatementNames } from './statement-names.js';

export interface PostgresOptions {
  connectionString: string;
  /** Pool size. Default 10. */
  max?: number;
  applicationName?: string;
  /** Distinct statements each connection may keep parsed and planned. Default 200 (the daemon runs about 50); 0 prepares none. */
  maxPreparedStatements?: number;
}

/** A `Db` over a node-postgres pool. bigint columns come back as numbers (ids and versions stay < 2^53). */
export function createPostgresDb(options: PostgresOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'idsync',
    // Our statements are key lookups and batch writes: compiling them with JIT costs more than it
    // saves (docs/benchmarks.md, "Why the mechanisms exist").
    options: '-c jit=off',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});

  const names = new StatementNames(options.maxPreparedStatements ?? 200);
  const run = async <T>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]): Promise<QueryResult<T>> => {
    // Only statements with parameters: the others are one-offs (migrations, begin, commit).
    const name = params !== undefined && params.length > 0 ? names.nameOf(text) : undefined;
    const values = params?.map((p) => (Array.isArray(p) ? arrayParameter(p) : p));
    const result = name === undefined ? await client.query(text, values) : await client.query({ name, text, values });
    return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
  };

  return {
    kind: 'postgres',
    query: (text, params) => run(pool, text, params),
    async transaction(fn) {
      const client = await pool.connect();
      // The pool stops listening to a client it hands out, and node-postgres emits 'error' when the
      // connection dies (terminated by an administrator, a restart) even while a query runs: without
      // a listener of ours that ends the process. The statement under way fails with the error
      // anyway; the connection is then dropped from the pool instead of being handed out again.
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken ??= error;
      };
      client.on('error', onError);
      try {
        await client.query('begin');
        const tx: Queryable = { query: (text, params) => run(client, text, params) };
        const result = await fn(tx);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch((rollbackError: unknown) => {
          broken ??= rollbackError as Error;
        });
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      await pool.end();
    },
  };
}
