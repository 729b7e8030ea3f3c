/**
 * Translates a filter tree into a parameterised PostgreSQL boolean expression over
 * `source_users` or `source_groups`. Values only ever travel as `$n` parameters; identifiers come
 * only from the whitelist in `attributes.ts`.
 *
 * Semantics (RFC 7644 §3.4.2.2, RFC 7643 §2.5):
 * - strings compare through `lower()` on both sides unless the attribute is `caseExact`
 *   (`lower(user_name) = lower($1)` is the expression the `lower(user_name)` index serves);
 * - `co`/`sw`/`ew` are `like` with `%`, `_` and `\` escaped;
 * - an unassigned attribute equals nothing: `eq` is false, `ne` is true (`is distinct from`),
 *   `eq null` is "not present", `ne null` is "present";
 * - `pr`: not null, and not the empty string; for a multi-valued attribute, at least one value;
 * - a multi-valued attribute matches when any one value does (`exists`), `emails.value ne "x"`
 *   included; write `not (emails.value eq "x")` for "no value is x";
 * - `gt`/`ge`/`lt`/`le` on a boolean, or `co`/`sw`/`ew` on a boolean or dateTime → 400;
 * - `not (…)` is `(…) is not true`, so SQL's unknown (a comparison with a null column) reads as
 *   false everywhere — the two-valued logic SCIM filters have;
 * - a value that cannot be a uuid compared with an id matches nothing instead of failing the cast.
 */
import { ScimError } from '../scim-error.js';
import type { AttributePath, CompareNode, CompareOperator, FilterNode, PresentNode } from './ast.js';
import {
  resolveAttribute,
  resourceName,
  supportedAttributes,
  type MultiValuedAttribute,
  type ResourceType,
  type ScalarAttribute,
} from './attributes.js';
import { formatPath } from './parser.js';

export interface SqlFragment {
  /** A boolean SQL expression, ready to be and-ed into a `where` clause. */
  sql: string;
  params: unknown[];
}

export interface FilterToSqlOptions {
  resourceType: ResourceType;
  /** Alias of `source_users` / `source_groups` in the caller's query. Default `u` for Users, `g` for Groups. */
  alias?: string;
  /**
   * How many `$n` placeholders the caller's query already uses: the first one this emits is
   * `$${paramOffset + 1}`, so `[...callerParams, ...fragment.params]` lines up. Default 0.
   */
  paramOffset?: number;
}

const ALIAS = /^[a-z_][a-z0-9_]{0,30}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SQL_OPERATORS: Record<'gt' | 'ge' | 'lt' | 'le', string> = { gt: '>', ge: '>=', lt: '<', le: '<=' };

export function filterToSql(filter: FilterNode, options: FilterToSqlOptions): SqlFragment {
  const alias = options.alias ?? (options.resourceType === 'Users' ? 'u' : 'g');
  if (!ALIAS.test(alias)) throw new TypeError(`filterToSql: "${alias}" is not a plain SQL alias`);
  const offset = options.paramOffset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw new TypeError(`filterToSql: paramOffset must be a non-negative integer, got ${offset}`);
  const params: unknown[] = [];
  const context: Context = {
    resourceType: options.resourceType,
    alias,
    param: (value) => {
      params.push(value);
      return `$${offset + params.length}`;
    },
  };
  return { sql: translate(filter, context), params };
}

interface Context {
  resourceType: ResourceType;
  alias: string;
  param: (value: unknown) => string;
  /** Set inside a value filter: the multi-valued attribute and the alias of its element row. */
  element?: { attribute: MultiValuedAttribute; alias: string };
}

function translate(node: FilterNode, ctx: Context): string {
  switch (node.kind) {
    case 'and':
      return `(${translate(node.left, ctx)} and ${translate(node.right, ctx)})`;
    case 'or':
      return `(${translate(node.left, ctx)} or ${translate(node.right, ctx)})`;
    case 'not':
      return `(${translate(node.filter, ctx)}) is not true`;
    case 'valuePath': {
      const attribute = resolveMultiValued(node.path, ctx);
      const test = exists(attribute, ctx, (element) => translate(node.filter, { ...ctx, element }));
      return withHint(attribute, valueEquals(node.filter), test, ctx);
    }
    case 'compare':
    case 'present':
      return translateCondition(node, ctx);
  }
}

function translateCondition(node: CompareNode | PresentNode, ctx: Context): string {
  if (ctx.element) {
    const sub = ctx.element.attribute.subAttributes.get(node.path.attribute.toLowerCase());
    if (!sub || node.path.subAttribute !== undefined) {
      throw unsupported(`${ctx.element.attribute.name}.${formatPath(node.path)}`, ctx.resourceType);
    }
    return condition(sub, sub.sql(ctx.element.alias), node, ctx);
  }
  const resolved = resolveAttribute(ctx.resourceType, node.path);
  if (!resolved) throw unsupported(formatPath(node.path), ctx.resourceType);
  const { attribute } = resolved;
  if (attribute.kind === 'scalar') return condition(attribute, attribute.sql(ctx.alias), node, ctx);
  // `emails pr`: at least one value; otherwise a condition on one sub-attribute, `value` by default.
  if (node.kind === 'present' && resolved.subAttribute === undefined) return exists(attribute, ctx, () => 'true');
  const subName = resolved.subAttribute ?? 'value';
  const sub = attribute.subAttributes.get(subName.toLowerCase());
  if (!sub) throw unsupported(`${attribute.name}.${subName}`, ctx.resourceType);
  const test = exists(attribute, ctx, (element) => condition(sub, sub.sql(element.alias), node, ctx));
  return sub.name === 'value' ? withHint(attribute, valueEquals(node), test, ctx) : test;
}

/** The text that some value's `value` must equal for `node` to hold, when `node` requires one. */
function valueEquals(node: FilterNode): string | undefined {
  if (node.kind === 'compare') {
    const named = node.path.subAttribute === undefined ? node.path.attribute : node.path.subAttribute;
    if (node.op !== 'eq' || named.toLowerCase() !== 'value' || node.value === null || typeof node.value === 'boolean') return undefined;
    return typeof node.value === 'string' ? node.value : node.raw;
  }
  if (node.kind === 'and') return valueEquals(node.left) ?? valueEquals(node.right);
  return undefined;
}

/** `test`, preceded by the attribute's indexable hint for `value eq text` when it has one. */
function withHint(attribute: MultiValuedAttribute, text: string | undefined, test: string, ctx: Context): string {
  if (text === undefined || !attribute.valueEqualsHint) return test;
  return `(${attribute.valueEqualsHint(ctx.alias, `${ctx.param(text)}::text`)} and ${test})`;
}

function resolveMultiValued(path: AttributePath, ctx: Context): MultiValuedAttribute {
  const resolved = resolveAttribute(ctx.resourceType, path);
  if (!resolved) throw unsupported(formatPath(path), ctx.resourceType);
  if (resolved.attribute.kind !== 'multiValued' || resolved.subAttribute !== undefined) {
    throw new ScimError(400, 'invalidFilter', `Invalid filter: "${formatPath(path)}" is not a multi-valued attribute, so it takes no [value filter]`);
  }
  return resolved.attribute;
}

function exists(attribute: MultiValuedAttribute, ctx: Context, body: (element: { attribute: MultiValuedAttribute; alias: string }) => string): string {
  const alias = `${ctx.alias}_${attribute.name}`;
  const conditions = [attribute.correlate?.(ctx.alias, alias), body({ attribute, alias })].filter((c) => c !== undefined && c !== 'true');
  const where = conditions.length === 0 ? '' : ` where ${conditions.join(' and ')}`;
  return `exists (select 1 from ${attribute.from(ctx.alias, alias)}${where})`;
}

function condition(attribute: ScalarAttribute, column: string, node: CompareNode | PresentNode, ctx: Context): string {
  if (node.kind === 'present') {
    return attribute.type === 'string' ? `(${column} is not null and ${column} <> '')` : `(${column} is not null)`;
  }
  const { op, value } = node;
  if (value === null) {
    if (op === 'eq') return `(${column} is null)`;
    if (op === 'ne') return `(${column} is not null)`;
    throw invalid(`"${attribute.name} ${op} null" compares with null; only eq and ne can`);
  }
  switch (attribute.type) {
    case 'boolean':
      return booleanCondition(attribute, column, node, ctx);
    case 'dateTime':
      return dateTimeCondition(attribute, column, node, ctx);
    case 'uuid':
      return uuidCondition(attribute, column, node, ctx);
    case 'string':
      return stringCondition(attribute, column, node, ctx);
  }
}

function booleanCondition(attribute: ScalarAttribute, column: string, node: CompareNode, ctx: Context): string {
  if (node.op !== 'eq' && node.op !== 'ne') throw invalid(`"${node.op}" is not defined for the boolean attribute "${attribute.name}"; use eq or ne`);
  const value = typeof node.value === 'string' ? { true: true, false: false }[node.value.toLowerCase()] : node.value;
  if (typeof value !== 'boolean') throw invalid(`"${attribute.name}" is a boolean; compare it with true or false, not ${node.raw}`);
  const param = `${ctx.param(value)}::boolean`;
  return node.op === 'eq' ? `(${column} = ${param})` : `(${column} is distinct from ${param})`;
}

function dateTimeCondition(attribute: ScalarAttribute, column: string, node: CompareNode, ctx: Context): string {
  if (node.op === 'co' || node.op === 'sw' || node.op === 'ew') {
    throw invalid(`"${node.op}" is not defined for the dateTime attribute "${attribute.name}"; use eq, ne, gt, ge, lt or le`);
  }
  const timestamp = typeof node.value === 'string' ? toTimestamp(node.value) : undefined;
  if (timestamp === undefined) {
    throw invalid(`"${attribute.name}" is a dateTime; compare it with a value such as "2024-01-31T12:00:00Z", not ${node.raw}`);
  }
  const param = `${ctx.param(timestamp)}::timestamptz`;
  return comparison(column, node.op, param);
}

function uuidCondition(attribute: ScalarAttribute, column: string, node: CompareNode, ctx: Context): string {
  if (typeof node.value === 'boolean') throw invalid(`"${attribute.name}" is a string; compare it with a string, not ${node.raw}`);
  const text = typeof node.value === 'string' ? node.value : node.raw;
  if (node.op === 'eq' || node.op === 'ne') {
    // Not a uuid: it equals no id. Casting it would fail the whole query.
    if (!UUID.test(text)) return node.op === 'eq' ? 'false' : `(${column} is not null)`;
    const param = `${ctx.param(text)}::uuid`;
    return node.op === 'eq' ? `(${column} = ${param})` : `(${column} is distinct from ${param})`;
  }
  return stringCondition({ ...attribute, type: 'string', caseExact: false }, `${column}::text`, { ...node, value: text }, ctx);
}

function stringCondition(attribute: ScalarAttribute, column: string, node: CompareNode, ctx: Context): string {
  if (typeof node.value === 'boolean') throw invalid(`"${attribute.name}" is a string; compare it with a string, not ${node.raw}`);
  // `externalId eq 00123` (unquoted, read as a number) means the text as written.
  const text = typeof node.value === 'string' ? node.value : node.raw;
  const fold = (sql: string) => (attribute.caseExact ? sql : `lower(${sql})`);
  const lhs = fold(column);
  if (node.op === 'co' || node.op === 'sw' || node.op === 'ew') {
    const escaped = escapeLike(text);
    const pattern = node.op === 'co' ? `%${escaped}%` : node.op === 'sw' ? `${escaped}%` : `%${escaped}`;
    return `(${lhs} like ${fold(`${ctx.param(pattern)}::text`)})`;
  }
  return comparison(lhs, node.op, fold(`${ctx.param(text)}::text`));
}

function comparison(lhs: string, op: Exclude<CompareOperator, 'co' | 'sw' | 'ew'>, rhs: string): string {
  if (op === 'eq') return `(${lhs} = ${rhs})`;
  if (op === 'ne') return `(${lhs} is distinct from ${rhs})`;
  return `(${lhs} ${SQL_OPERATORS[op]} ${rhs})`;
}

/** `like` pattern text matching `text` literally (backslash is PostgreSQL's default escape). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*([Zz]|[+-](\d{2}):?(\d{2})?)?$/;

/**
 * An xsd:dateTime (RFC 7643 §2.3.5) as text PostgreSQL will always accept, or undefined. Checked
 * field by field because `Date.parse` accepts "2024-02-31" and PostgreSQL does not. Without an
 * offset the time is read as UTC, not as the session's time zone.
 */
export function toTimestamp(text: string): string | undefined {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone, zh = '00', zm = '00'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (year < 1 || days === undefined || day < 1 || day > days) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || Number(zh) > 15 || Number(zm) > 59) return undefined;
  const offset = zone === undefined || /^z$/i.test(zone) ? 'Z' : `${zone.charAt(0)}${zh}:${zm}`;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}${offset}`;
}

function invalid(message: string): ScimError {
  return new ScimError(400, 'invalidFilter', `Invalid filter: ${message}`);
}

function unsupported(name: string, resourceType: ResourceType): ScimError {
  return new ScimError(
    400,
    'invalidFilter',
    `Filtering on "${name}" is not supported; ${resourceName(resourceType)} filters may use: ${supportedAttributes(resourceType).join(', ')}`,
  );
}
