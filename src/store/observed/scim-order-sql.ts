/**
 * A SCIM list's order (RFC 7644 §3.4.2.3), once src/scim/filter/sort.ts has checked `sortBy`, as an
 * SQL `order by` clause. Resources without a value sort last ascending and first descending, as
 * the RFC asks (PostgreSQL's own `nulls last` / `nulls first` defaults, spelled out). The row id is
 * always the last key, so `startIndex` paging is stable across requests.
 */
import { assertPlainAlias, ROW_COLUMNS, VALUE_SETS, type RowColumn, type SortableSet } from './scim-columns.js';

export interface ColumnOrder {
  /** A single value (`fold`: compared through `lower()`), or a multi-valued attribute's primary, else first, value. */
  by: { column: RowColumn; fold: boolean } | { set: SortableSet };
  descending: boolean;
}

/** The `order by` clause; without an order, creation time then id. */
export function orderSql(order: ColumnOrder | undefined, alias: string): string {
  assertPlainAlias(alias, 'orderSql');
  if (order === undefined) return `order by ${alias}.created_at asc, ${alias}.id asc`;
  const key = 'set' in order.by ? VALUE_SETS[order.by.set].sortSql(alias) : sortKey(order.by.column, order.by.fold, alias);
  const direction = order.descending ? 'desc nulls first' : 'asc nulls last';
  return `order by ${key} ${direction}, ${alias}.id ${order.descending ? 'desc' : 'asc'}`;
}

function sortKey(column: RowColumn, fold: boolean, alias: string): string {
  const sql = ROW_COLUMNS[column](alias);
  return fold ? `lower(${sql})` : sql;
}
