import { PGlite, parse, protocol, type Results } from '@electric-sql/pglite';
import { INT8_OID, type Db, type Queryable, type QueryResult } from './db.js';
import { autovacuum } from './pglite-autovacuum.js';
import { ensurePgliteDataDir } from './pglite-initdb.js';
import { StatementNames } from './statement-names.js';

export interface PgliteOptions {
  /** Directory the database persists in; omit for an in-memory database (tests). */
  dataDir?: string | undefined;
  /** Distinct statements kept parsed and planned. Default 200, as for PostgreSQL; 0 prepares none. */
  maxPreparedStatements?: number;
}

/**
 * What the embedded PostgreSQL reserves, on top of PGlite's own start parameters. initdb sizes a
 * server (shared_buffers 128MB), and PGlite's PostgreSQL touches its whole buffer pool when it
 * starts, so every megabyte of it stays resident for the life of the daemon: 16MB is the smallest
 * that still saved memory (`npm run bench:pglite-memory`; the other settings tried are in
 * docs/benchmarks.md). The buffer pool only spares reads of the data files, which stay in the OS
 * page cache; wal_buffers follows it (1/32, 512kB).
 *
 * Durability is PGlite's: its files are written with write(2) as PostgreSQL writes them, and a
 * commit returns once its WAL is written, so a `kill -9` of the process loses nothing committed.
 * fsync stays off (PGlite's `-F`): a crash of the machine itself may lose recent commits.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/**
 * How often the stand-in for autovacuum looks for tables due (PostgreSQL's autovacuum_naptime is a
 * minute; the look is one catalog read, and a store loaded from nothing plans badly until analysed).
 */
const AUTOVACUUM_EVERY_MS = 10_000;

interface Prepared {
  name: string;
  paramTypes: number[];
  /** The statement's RowDescription (none for a statement that returns no rows), parsed once. */
  columns: BackendMessage[];
}

type BackendMessage = Parameters<typeof parse.parseResults>[0][number];

/**
 * A `Db` over embedded PGlite: one connection, so statements and transactions run one at a time.
 * Statements run again and again are prepared (parsed, described) once by name and then bound and
 * executed in one exchange (PGlite's `query` parses, plans and describes every call, in six).
 */
export async function createPgliteDb(options: PgliteOptions = {}): Promise<Db> {
  if (options.dataDir) await ensurePgliteDataDir(options.dataDir);
  const pglite = await PGlite.create({ dataDir: options.dataDir, startParams: START_PARAMS, parsers: { [INT8_OID]: (v: string) => Number(v) } });
  const names = new StatementNames(options.maxPreparedStatements ?? 200);
  const prepared = new Map<string, Prepared>();

  const prepare = async (text: string, name: string): Promise<Prepared> => {
    const { messages } = await pglite.execProtocol(concat([protocol.serialize.parse({ name, text }), protocol.serialize.describe({ type: 'S', name }), protocol.serialize.sync()]));
    const statement = { name, paramTypes: parse.parseDescribeStatementResults(messages), columns: messages.filter((m) => m.name === 'rowDescription') };
    prepared.set(text, statement);
    return statement;
  };

  const run = async <T>(text: string, params: readonly unknown[] | undefined): Promise<QueryResult<T>> => {
    // Without parameters, the simple protocol: one exchange where PGlite's `query` makes six.
    if (params === undefined || params.length === 0) return toResult((await pglite.exec(text)).at(-1) ?? { rows: [], fields: [], affectedRows: 0 });
    const name = names.nameOf(text);
    if (name === undefined) return toResult(await pglite.query(text, params as unknown[]));
    const statement = prepared.get(text) ?? (await prepare(text, name));
    const values = params?.map((value, i) => parameter(pglite, statement.paramTypes[i], value));
    // No Describe: the columns are the statement's, described when it was prepared.
    const { messages } = await pglite.execProtocol(
      concat([protocol.serialize.bind({ statement: statement.name, values }), protocol.serialize.execute({}), protocol.serialize.sync()]),
    );
    const [result] = parse.parseResults([...statement.columns, ...messages], pglite.parsers);
    if (!result) throw new Error(`no result for a prepared statement: ${text.slice(0, 60)}`);
    return toResult(result);
  };

  // One session: a statement must not run inside another caller's transaction.
  const exclusive = serialiser();
  const direct: Queryable = { query: (text, params) => run(text, params) };
  // A failed round is retried at the next; the statements it would have helped still run.
  const maintenance = setInterval(() => void exclusive(() => autovacuum(pglite)).catch(() => {}), AUTOVACUUM_EVERY_MS);
  maintenance.unref();

  return {
    kind: 'pglite',
    query: (text, params) => exclusive(() => run(text, params)),
    transaction(fn) {
      return exclusive(async () => {
        await pglite.exec('begin');
        let result;
        try {
          result = await fn(direct);
        } catch (error) {
          await pglite.exec('rollback');
          throw error;
        }
        // A statement that failed inside `fn` and was caught there leaves the transaction aborted.
        const [commit] = await pglite.exec('commit');
        if (commit?.command === 'ROLLBACK') throw Object.assign(new Error('the transaction was rolled back: a statement in it failed'), { code: '25P02' });
        return result;
      });
    },
    async exec(sql) {
      await exclusive(() => pglite.exec(sql));
    },
    async ping() {
      await exclusive(() => pglite.query('select 1'));
    },
    async close() {
      clearInterval(maintenance);
      await exclusive(() => pglite.close());
    },
  };
}

/** Like node-postgres: rows returned for a SELECT or RETURNING, rows affected for other statements. */
function toResult<T>(r: Pick<Results, 'rows' | 'fields' | 'affectedRows'>): QueryResult<T> {
  return { rows: r.rows as T[], rowCount: r.fields.length > 0 ? r.rows.length : (r.affectedRows ?? 0) };
}

/** A parameter as PGlite's own `query` sends it: by the type PostgreSQL inferred for it. */
function parameter(pglite: PGlite, type: number | undefined, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const serializer = type === undefined ? undefined : pglite.serializers[type];
  return serializer ? serializer(value) : String(value);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Runs the functions given to it one at a time, in order. */
function serialiser(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>) => {
    const result = tail.then(fn);
    // The caller gets the failure through `result`; the tail only orders the next call after this one.
    tail = result.catch(() => {});
    return result;
  };
}
