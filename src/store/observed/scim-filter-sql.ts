/**
 * A SCIM filter, once src/scim/filter/resolve-filter.ts has checked it against the attributes the
 * server supports, as a parameterised PostgreSQL boolean expression over `source_users` or
 * `source_groups`. Values only ever travel as `$n` parameters; identifiers come only from
 * `scim-columns.ts`.
 *
 * The SQL carries the semantics the resolver chose (RFC 7644 §3.4.2.2, RFC 7643 §2.5):
 * - a text test folds both sides through `lower()` unless it is case-exact
 *   (`lower(user_name) = lower($1)` is the expression the `lower(user_name)` index serves);
 * - contains / starts with / ends with are `like` with `%`, `_` and `\` escaped;
 * - `ne` is `is distinct from`, so an unassigned value differs from every value;
 * - a multi-valued attribute is tested with `exists` over its values;
 * - `not (…)` is `(…) is not true`, so SQL's unknown (a comparison with a null column) reads as
 *   false everywhere — the two-valued logic SCIM filters have.
 */
import { escapeLike } from '../like-pattern.js';
import { assertPlainAlias, ELEMENT_COLUMNS, ROW_COLUMNS, VALUE_SETS, type ElementColumn, type RowColumn, type ValueSet, type ValueSetName } from './scim-columns.js';

/** How a value is compared: the type its parameter is cast to. */
export type ComparedAs = 'text' | 'boolean' | 'timestamptz' | 'uuid';

export type ColumnTest =
  | { op: 'isNull' | 'isNotNull' }
  /** Not null and not the empty string. */
  | { op: 'hasText' }
  | { op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; value: string | boolean; as: ComparedAs; /** Text only: false folds both sides through `lower()`. */ caseExact: boolean }
  | { op: 'contains' | 'startsWith' | 'endsWith'; text: string; caseExact: boolean };

/** A filter over stored values, as the SCIM side resolved it. */
export type ColumnFilter =
  | { kind: 'and' | 'or'; left: ColumnFilter; right: ColumnFilter }
  | { kind: 'not'; filter: ColumnFilter }
  /**
   * Some value of a multi-valued attribute satisfies `where` (any value at all without one).
   * `valueEquals`: text that such a value's `value` must equal, when the filter requires one —
   * it lets the store add an indexable condition in front of the exact test.
   */
  | { kind: 'some'; set: ValueSetName; where?: ColumnFilter; valueEquals?: string }
  /** An element column may only be tested inside a `some` of its own set. `asText` reads the value as text. */
  | { kind: 'test'; column: RowColumn | ElementColumn; asText?: boolean; test: ColumnTest }
  /** Matches nothing (e.g. an id compared with text that cannot be one). */
  | { kind: 'never' };

export interface SqlFragment {
  /** A boolean SQL expression, ready to be and-ed into a `where` clause. */
  sql: string;
  params: unknown[];
}

export interface FilterSqlOptions {
  /** Alias of `source_users` / `source_groups` in the caller's query. */
  alias: string;
  /**
   * How many `$n` placeholders the caller's query already uses: the first one this emits is
   * `$${paramOffset + 1}`, so `[...callerParams, ...fragment.params]` lines up. Default 0.
   */
  paramOffset?: number;
}

const SETS: Readonly<Record<ValueSetName, ValueSet>> = VALUE_SETS;
const SQL_OPERATORS: Record<'gt' | 'ge' | 'lt' | 'le', string> = { gt: '>', ge: '>=', lt: '<', le: '<=' };

export function filterSql(filter: ColumnFilter, options: FilterSqlOptions): SqlFragment {
  const { alias } = options;
  assertPlainAlias(alias, 'filterSql');
  const offset = options.paramOffset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw new TypeError(`filterSql: paramOffset must be a non-negative integer, got ${offset}`);
  const params: unknown[] = [];
  const context: Context = {
    alias,
    param: (value) => {
      params.push(value);
      return `$${offset + params.length}`;
    },
  };
  return { sql: translate(filter, context), params };
}

interface Context {
  alias: string;
  param: (value: unknown) => string;
  /** Set inside a `some`: the set and the alias of its element row. */
  element?: { set: ValueSetName; alias: string };
}

function translate(node: ColumnFilter, ctx: Context): string {
  switch (node.kind) {
    case 'and':
      return `(${translate(node.left, ctx)} and ${translate(node.right, ctx)})`;
    case 'or':
      return `(${translate(node.left, ctx)} or ${translate(node.right, ctx)})`;
    case 'not':
      return `(${translate(node.filter, ctx)}) is not true`;
    case 'some':
      return some(node, ctx);
    case 'test':
      return condition(columnSql(node.column, ctx, node.asText === true), node.test, ctx);
    case 'never':
      return 'false';
  }
}

/** `exists` over the set's values, preceded by the set's indexable hint for `value eq text` when it has one. */
function some(node: Extract<ColumnFilter, { kind: 'some' }>, ctx: Context): string {
  const set = SETS[node.set];
  const alias = `${ctx.alias}_${node.set}`;
  const body = node.where === undefined ? 'true' : translate(node.where, { ...ctx, element: { set: node.set, alias } });
  const conditions = [set.correlate?.(ctx.alias, alias), body].filter((c) => c !== undefined && c !== 'true');
  const where = conditions.length === 0 ? '' : ` where ${conditions.join(' and ')}`;
  const test = `exists (select 1 from ${set.from(ctx.alias, alias)}${where})`;
  if (node.valueEquals === undefined || !set.valueEqualsHint) return test;
  return `(${set.valueEqualsHint(ctx.alias, `${ctx.param(node.valueEquals)}::text`)} and ${test})`;
}

function columnSql(column: RowColumn | ElementColumn, ctx: Context, asText: boolean): string {
  let sql: string;
  if (column in ELEMENT_COLUMNS) {
    const element = ctx.element;
    if (!element || !column.startsWith(`${element.set}.`)) throw new TypeError(`filterSql: "${column}" is tested outside a "some" of its set`);
    sql = ELEMENT_COLUMNS[column as ElementColumn](element.alias);
  } else {
    sql = ROW_COLUMNS[column as RowColumn](ctx.alias);
  }
  return asText ? `${sql}::text` : sql;
}

function condition(column: string, test: ColumnTest, ctx: Context): string {
  switch (test.op) {
    case 'isNull':
      return `(${column} is null)`;
    case 'isNotNull':
      return `(${column} is not null)`;
    case 'hasText':
      return `(${column} is not null and ${column} <> '')`;
    case 'contains':
    case 'startsWith':
    case 'endsWith': {
      const fold = folding(test.caseExact);
      const escaped = escapeLike(test.text);
      const pattern = test.op === 'contains' ? `%${escaped}%` : test.op === 'startsWith' ? `${escaped}%` : `%${escaped}`;
      return `(${fold(column)} like ${fold(`${ctx.param(pattern)}::text`)})`;
    }
    default: {
      const fold = folding(test.as !== 'text' || test.caseExact);
      return comparison(fold(column), test.op, fold(`${ctx.param(test.value)}::${test.as}`));
    }
  }
}

function folding(caseExact: boolean): (sql: string) => string {
  return caseExact ? (sql) => sql : (sql) => `lower(${sql})`;
}

function comparison(lhs: string, op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le', rhs: string): string {
  if (op === 'eq') return `(${lhs} = ${rhs})`;
  if (op === 'ne') return `(${lhs} is distinct from ${rhs})`;
  return `(${lhs} ${SQL_OPERATORS[op]} ${rhs})`;
}
