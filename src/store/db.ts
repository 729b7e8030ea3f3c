/**
 * The storage seam: one small interface served by node-postgres (`DATABASE_URL`) and by embedded
 * PGlite. Both run the same SQL; callers never see connections.
 */
export type Row = Record<string, unknown>;

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  /** One parameterised statement. */
  query<T = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The SQLSTATE of a database error, if it carries one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The type id of PostgreSQL's `bigint` (int8). Both drivers read it as a JavaScript number, not a
 * string: the counts and sequence numbers idsync stores stay far below 2^53.
 */
export const INT8_OID = 20;
