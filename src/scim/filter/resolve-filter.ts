/**
 * Checks a filter tree against the attributes the server supports (`attributes.ts`) and resolves
 * it into a filter over stored values, which the store turns into SQL
 * (src/store/observed/scim-filter-sql.ts). Everything a client can get wrong is refused here, as
 * a 400 `invalidFilter` naming it.
 *
 * Semantics (RFC 7644 §3.4.2.2, RFC 7643 §2.5):
 * - strings compare case-insensitively unless the attribute is `caseExact`;
 * - `co`/`sw`/`ew` match the text literally (no wildcard characters);
 * - an unassigned attribute equals nothing: `eq` is false, `ne` is true,
 *   `eq null` is "not present", `ne null` is "present";
 * - `pr`: not null, and not the empty string; for a multi-valued attribute, at least one value;
 * - a multi-valued attribute matches when any one value does, `emails.value ne "x"` included;
 *   write `not (emails.value eq "x")` for "no value is x";
 * - `gt`/`ge`/`lt`/`le` on a boolean, or `co`/`sw`/`ew` on a boolean or dateTime → 400;
 * - `not (…)` treats a comparison with an unassigned attribute as false (two-valued logic);
 * - a value that cannot be a uuid compared with an id matches nothing instead of failing.
 */
import type { ColumnFilter, ColumnTest } from '../../store/observed/scim-filter-sql.js';
import { isUuid } from '../../store/uuid-text.js';
import { ScimError } from '../scim-error.js';
import type { AttributePath, CompareNode, FilterNode, PresentNode } from './ast.js';
import { resolveAttribute, resourceName, supportedAttributes, type MultiValuedAttribute, type ResourceType, type ScalarAttribute } from './attributes.js';
import { formatPath } from './parser.js';

/** @throws ScimError 400 `invalidFilter` for an attribute the server cannot filter on, or a comparison its type does not allow. */
export function resolveFilter(filter: FilterNode, resourceType: ResourceType): ColumnFilter {
  return resolve(filter, { resourceType });
}

interface Context {
  resourceType: ResourceType;
  /** Set inside a value filter: the multi-valued attribute whose values it tests. */
  element?: MultiValuedAttribute;
}

function resolve(node: FilterNode, ctx: Context): ColumnFilter {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { kind: node.kind, left: resolve(node.left, ctx), right: resolve(node.right, ctx) };
    case 'not':
      return { kind: 'not', filter: resolve(node.filter, ctx) };
    case 'valuePath': {
      const attribute = resolveMultiValued(node.path, ctx);
      return some(attribute, resolve(node.filter, { ...ctx, element: attribute }), valueEquals(node.filter));
    }
    case 'compare':
    case 'present':
      return resolveCondition(node, ctx);
  }
}

function resolveCondition(node: CompareNode | PresentNode, ctx: Context): ColumnFilter {
  if (ctx.element) {
    const sub = ctx.element.subAttributes.get(node.path.attribute.toLowerCase());
    if (!sub || node.path.subAttribute !== undefined) {
      throw unsupported(`${ctx.element.name}.${formatPath(node.path)}`, ctx.resourceType);
    }
    return condition(sub, node);
  }
  const resolved = resolveAttribute(ctx.resourceType, node.path);
  if (!resolved) throw unsupported(formatPath(node.path), ctx.resourceType);
  const { attribute } = resolved;
  if (attribute.kind === 'scalar') return condition(attribute, node);
  // `emails pr`: at least one value; otherwise a condition on one sub-attribute, `value` by default.
  if (node.kind === 'present' && resolved.subAttribute === undefined) return { kind: 'some', set: attribute.set };
  const subName = resolved.subAttribute ?? 'value';
  const sub = attribute.subAttributes.get(subName.toLowerCase());
  if (!sub) throw unsupported(`${attribute.name}.${subName}`, ctx.resourceType);
  return some(attribute, condition(sub, node), sub.name === 'value' ? valueEquals(node) : undefined);
}

function some(attribute: MultiValuedAttribute, where: ColumnFilter, equals: string | undefined): ColumnFilter {
  return equals === undefined ? { kind: 'some', set: attribute.set, where } : { kind: 'some', set: attribute.set, where, valueEquals: equals };
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

function resolveMultiValued(path: AttributePath, ctx: Context): MultiValuedAttribute {
  const resolved = resolveAttribute(ctx.resourceType, path);
  if (!resolved) throw unsupported(formatPath(path), ctx.resourceType);
  if (resolved.attribute.kind !== 'multiValued' || resolved.subAttribute !== undefined) {
    throw new ScimError(400, 'invalidFilter', `Invalid filter: "${formatPath(path)}" is not a multi-valued attribute, so it takes no [value filter]`);
  }
  return resolved.attribute;
}

function test(attribute: ScalarAttribute, columnTest: ColumnTest, asText = false): ColumnFilter {
  return asText ? { kind: 'test', column: attribute.column, asText, test: columnTest } : { kind: 'test', column: attribute.column, test: columnTest };
}

function condition(attribute: ScalarAttribute, node: CompareNode | PresentNode): ColumnFilter {
  if (node.kind === 'present') return test(attribute, { op: attribute.type === 'string' ? 'hasText' : 'isNotNull' });
  const { op, value } = node;
  if (value === null) {
    if (op === 'eq') return test(attribute, { op: 'isNull' });
    if (op === 'ne') return test(attribute, { op: 'isNotNull' });
    throw invalid(`"${attribute.name} ${op} null" compares with null; only eq and ne can`);
  }
  switch (attribute.type) {
    case 'boolean':
      return booleanCondition(attribute, node);
    case 'dateTime':
      return dateTimeCondition(attribute, node);
    case 'uuid':
      return uuidCondition(attribute, node);
    case 'string':
      return stringCondition(attribute, node);
  }
}

function booleanCondition(attribute: ScalarAttribute, node: CompareNode): ColumnFilter {
  if (node.op !== 'eq' && node.op !== 'ne') throw invalid(`"${node.op}" is not defined for the boolean attribute "${attribute.name}"; use eq or ne`);
  const value = typeof node.value === 'string' ? { true: true, false: false }[node.value.toLowerCase()] : node.value;
  if (typeof value !== 'boolean') throw invalid(`"${attribute.name}" is a boolean; compare it with true or false, not ${node.raw}`);
  return test(attribute, { op: node.op, value, as: 'boolean', caseExact: true });
}

function dateTimeCondition(attribute: ScalarAttribute, node: CompareNode): ColumnFilter {
  const { op } = node;
  if (op === 'co' || op === 'sw' || op === 'ew') {
    throw invalid(`"${op}" is not defined for the dateTime attribute "${attribute.name}"; use eq, ne, gt, ge, lt or le`);
  }
  const timestamp = typeof node.value === 'string' ? toTimestamp(node.value) : undefined;
  if (timestamp === undefined) {
    throw invalid(`"${attribute.name}" is a dateTime; compare it with a value such as "2024-01-31T12:00:00Z", not ${node.raw}`);
  }
  return test(attribute, { op, value: timestamp, as: 'timestamptz', caseExact: true });
}

function uuidCondition(attribute: ScalarAttribute, node: CompareNode): ColumnFilter {
  if (typeof node.value === 'boolean') throw invalid(`"${attribute.name}" is a string; compare it with a string, not ${node.raw}`);
  const text = typeof node.value === 'string' ? node.value : node.raw;
  if (node.op === 'eq' || node.op === 'ne') {
    // Not a uuid: it equals no id. Casting it would fail the whole query.
    if (!isUuid(text)) return node.op === 'eq' ? { kind: 'never' } : test(attribute, { op: 'isNotNull' });
    return test(attribute, { op: node.op, value: text, as: 'uuid', caseExact: true });
  }
  return stringCondition({ ...attribute, type: 'string', caseExact: false }, { ...node, value: text }, true);
}

function stringCondition(attribute: ScalarAttribute, node: CompareNode, asText = false): ColumnFilter {
  if (typeof node.value === 'boolean') throw invalid(`"${attribute.name}" is a string; compare it with a string, not ${node.raw}`);
  // `externalId eq 00123` (unquoted, read as a number) means the text as written.
  const text = typeof node.value === 'string' ? node.value : node.raw;
  const { op } = node;
  const { caseExact } = attribute;
  if (op === 'co') return test(attribute, { op: 'contains', text, caseExact }, asText);
  if (op === 'sw') return test(attribute, { op: 'startsWith', text, caseExact }, asText);
  if (op === 'ew') return test(attribute, { op: 'endsWith', text, caseExact }, asText);
  return test(attribute, { op, value: text, as: 'text', caseExact }, asText);
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
