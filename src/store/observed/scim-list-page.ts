/**
 * One page of a SCIM list (RFC 7644 §3.4.2.4) and how many match in all (`totalResults`), in one
 * round trip when the page is not empty: the window count rides on the page's rows. Only an empty
 * page needs the separate count — a page past the end, or `count=0`, which asks for the total alone.
 */
import type { Queryable } from '../db.js';
import { filterSql, type ColumnFilter } from './scim-filter-sql.js';
import { orderSql, type ColumnOrder } from './scim-order-sql.js';

/** A list request with its filter and order already resolved to stored values (src/scim/list-query.ts). */
export interface ScimListQuery {
  filter?: ColumnFilter | undefined;
  /** Undefined: creation time, then id. */
  order?: ColumnOrder | undefined;
  /** Page size; 0 asks for the total alone. */
  count: number;
  /** 1-based. */
  startIndex: number;
}

/** Which live rows of a source a list reads, and the select list of one row, over `alias`. */
export interface ScimListSource {
  table: 'source_users' | 'source_groups';
  alias: 'u' | 'g';
  columns: string;
}

export async function listScimPage<Row>(db: Queryable, from: ScimListSource, sourceId: string, query: ScimListQuery): Promise<{ rows: Row[]; total: number }> {
  const { table, alias, columns } = from;
  const where = [`${alias}.source_id = $1`, `${alias}.deleted_at is null`];
  const params: unknown[] = [sourceId];
  if (query.filter) {
    const fragment = filterSql(query.filter, { alias, paramOffset: params.length });
    where.push(fragment.sql);
    params.push(...fragment.params);
  }
  const condition = where.join(' and ');
  if (query.count === 0) return { rows: [], total: await countRows(db, from, condition, params) };
  const page = await db.query<Row & { total: number }>(
    `select ${columns}, count(*) over () as total from ${table} ${alias} where ${condition} ${orderSql(query.order, alias)}
      limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, query.count, query.startIndex - 1],
  );
  const first = page.rows[0];
  const total = first ? Number(first.total) : query.startIndex > 1 ? await countRows(db, from, condition, params) : 0;
  return { rows: page.rows, total };
}

async function countRows(db: Queryable, from: ScimListSource, condition: string, params: unknown[]): Promise<number> {
  const counted = await db.query<{ n: number }>(`select count(*)::int as n from ${from.table} ${from.alias} where ${condition}`, params);
  return counted.rows[0]?.n ?? 0;
}
