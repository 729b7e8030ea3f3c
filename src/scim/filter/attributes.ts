/**
 * Which SCIM attributes the server can filter and sort on, and the SQL each one reads — the only
 * place that knows how `source_users` / `source_groups` store a SCIM resource. The filter
 * translator and the sort builder accept nothing that is not listed here, so no client text ever
 * reaches SQL as an identifier.
 *
 * Storage assumptions (src/store/migrations/001_init.sql, plus the layout of `attributes` jsonb
 * that SCIM ingest must follow):
 * - Users: `id`, `external_id`, `user_name`, `display_name`, `given_name`, `family_name`, `active`,
 *   `emails` (jsonb array of `{value, type, primary, display}`), `company` (enterprise
 *   `organization`), `created_at`, `updated_at`; and in `attributes`: `title`, `employeeNumber`,
 *   `department`, `costCenter`, `division`, `manager: {value}` (the enterprise extension, flat).
 * - Groups: `id`, `external_id`, `display_name`, `created_at`, `updated_at`; members in
 *   `source_group_members (source_id, group_id, user_id)`.
 */
import type { AttributePath } from './ast.js';

export type ResourceType = 'Users' | 'Groups';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** How values compare: `uuid` tolerates non-uuid input (it matches nothing instead of failing). */
export type ValueType = 'string' | 'boolean' | 'dateTime' | 'uuid';

/** A single value read by one SQL expression. */
export interface ScalarAttribute {
  kind: 'scalar';
  /** The SCIM name, for messages: `userName`, `name.givenName`. */
  name: string;
  type: ValueType;
  /** RFC 7643 `caseExact`; false → compared through `lower()`. */
  caseExact: boolean;
  /** The SQL expression, given the alias of the row it reads from. */
  sql: (alias: string) => string;
}

/** A multi-valued attribute: a set of rows, each with sub-attributes, tested with `exists`. */
export interface MultiValuedAttribute {
  kind: 'multiValued';
  name: string;
  /** The `from` item that yields one row per value, named `element`. */
  from: (alias: string, element: string) => string;
  /** What ties the values to the resource row, when `from` does not already. */
  correlate?: (alias: string, element: string) => string;
  /** Sub-attributes by lower-cased name; their `sql` receives the element alias. */
  subAttributes: ReadonlyMap<string, ScalarAttribute>;
  /** Sort key (RFC 7644 §3.4.2.3: the primary value, else the first), if it can be sorted on. */
  sortSql?: (alias: string) => string;
  /**
   * An indexable condition implied by "some value's `value` equals (case-insensitively) the text
   * in `param`", and-ed before the exact `exists` so the planner can use an index
   * (migration 003: `idsync_email_values`).
   */
  valueEqualsHint?: (alias: string, param: string) => string;
}

export type ResourceAttribute = ScalarAttribute | MultiValuedAttribute;

interface Entry {
  schema: string;
  /** `attribute` or `attribute.subAttribute`, as SCIM spells it. */
  path: string;
  attribute: ResourceAttribute;
}

const scalar = (name: string, type: ValueType, caseExact: boolean, sql: (alias: string) => string): ScalarAttribute => ({
  kind: 'scalar',
  name,
  type,
  caseExact,
  sql,
});

const subAttributes = (list: ScalarAttribute[]): ReadonlyMap<string, ScalarAttribute> =>
  new Map(list.map((a) => [a.name.toLowerCase(), a]));

// A jsonb value read defensively: an unexpected shape yields null rather than a SQL error.
const jsonArray = (column: string) => `jsonb_array_elements(case when jsonb_typeof(${column}) = 'array' then ${column} else '[]'::jsonb end)`;
const jsonBoolean = (json: string) => `(case when jsonb_typeof(${json}) = 'boolean' then (${json})::boolean end)`;

const emails: MultiValuedAttribute = {
  kind: 'multiValued',
  name: 'emails',
  from: (alias, element) => `${jsonArray(`${alias}.emails`)} as ${element}`,
  subAttributes: subAttributes([
    scalar('value', 'string', false, (e) => `(${e}->>'value')`),
    scalar('type', 'string', false, (e) => `(${e}->>'type')`),
    scalar('display', 'string', false, (e) => `(${e}->>'display')`),
    scalar('primary', 'boolean', true, (e) => jsonBoolean(`${e}->'primary'`)),
  ]),
  sortSql: (alias) =>
    `(select lower(${alias}_sort.e->>'value') from ${jsonArray(`${alias}.emails`)} with ordinality as ${alias}_sort(e, n)` +
    ` order by coalesce(${alias}_sort.e->'primary' = 'true'::jsonb, false) desc, ${alias}_sort.n limit 1)`,
  valueEqualsHint: (alias, param) => `idsync_email_values(${alias}.emails) @> array[lower(${param})]`,
};

const members: MultiValuedAttribute = {
  kind: 'multiValued',
  name: 'members',
  from: (_alias, element) => `source_group_members ${element}`,
  correlate: (alias, element) => `${element}.source_id = ${alias}.source_id and ${element}.group_id = ${alias}.id`,
  subAttributes: subAttributes([scalar('value', 'uuid', false, (m) => `${m}.user_id`)]),
};

const meta = (schema: string): Entry[] => [
  { schema, path: 'meta.created', attribute: scalar('meta.created', 'dateTime', true, (a) => `${a}.created_at`) },
  { schema, path: 'meta.lastModified', attribute: scalar('meta.lastModified', 'dateTime', true, (a) => `${a}.updated_at`) },
];

const json = (key: string) => (a: string) => `(${a}.attributes->>'${key}')`;
const managerValue = (a: string) => `(${a}.attributes->'manager'->>'value')`;

const USER_ENTRIES: Entry[] = [
  { schema: USER_SCHEMA, path: 'id', attribute: scalar('id', 'uuid', false, (a) => `${a}.id`) },
  { schema: USER_SCHEMA, path: 'externalId', attribute: scalar('externalId', 'string', true, (a) => `${a}.external_id`) },
  { schema: USER_SCHEMA, path: 'userName', attribute: scalar('userName', 'string', false, (a) => `${a}.user_name`) },
  { schema: USER_SCHEMA, path: 'displayName', attribute: scalar('displayName', 'string', false, (a) => `${a}.display_name`) },
  { schema: USER_SCHEMA, path: 'name.givenName', attribute: scalar('name.givenName', 'string', false, (a) => `${a}.given_name`) },
  { schema: USER_SCHEMA, path: 'name.familyName', attribute: scalar('name.familyName', 'string', false, (a) => `${a}.family_name`) },
  { schema: USER_SCHEMA, path: 'title', attribute: scalar('title', 'string', false, json('title')) },
  { schema: USER_SCHEMA, path: 'active', attribute: scalar('active', 'boolean', true, (a) => `${a}.active`) },
  { schema: USER_SCHEMA, path: 'emails', attribute: emails },
  ...meta(USER_SCHEMA),
  { schema: ENTERPRISE_USER_SCHEMA, path: 'employeeNumber', attribute: scalar('employeeNumber', 'string', false, json('employeeNumber')) },
  { schema: ENTERPRISE_USER_SCHEMA, path: 'department', attribute: scalar('department', 'string', false, json('department')) },
  { schema: ENTERPRISE_USER_SCHEMA, path: 'costCenter', attribute: scalar('costCenter', 'string', false, json('costCenter')) },
  { schema: ENTERPRISE_USER_SCHEMA, path: 'division', attribute: scalar('division', 'string', false, json('division')) },
  { schema: ENTERPRISE_USER_SCHEMA, path: 'organization', attribute: scalar('organization', 'string', false, (a) => `${a}.company`) },
  // Entra ID checks a manager with `manager eq "<id>"`; a complex attribute without a
  // sub-attribute is read as its `value`.
  { schema: ENTERPRISE_USER_SCHEMA, path: 'manager', attribute: scalar('manager', 'string', true, managerValue) },
  { schema: ENTERPRISE_USER_SCHEMA, path: 'manager.value', attribute: scalar('manager.value', 'string', true, managerValue) },
];

const GROUP_ENTRIES: Entry[] = [
  { schema: GROUP_SCHEMA, path: 'id', attribute: scalar('id', 'uuid', false, (a) => `${a}.id`) },
  { schema: GROUP_SCHEMA, path: 'externalId', attribute: scalar('externalId', 'string', true, (a) => `${a}.external_id`) },
  { schema: GROUP_SCHEMA, path: 'displayName', attribute: scalar('displayName', 'string', false, (a) => `${a}.display_name`) },
  { schema: GROUP_SCHEMA, path: 'members', attribute: members },
  ...meta(GROUP_SCHEMA),
];

const ENTRIES: Record<ResourceType, Entry[]> = { Users: USER_ENTRIES, Groups: GROUP_ENTRIES };

export interface ResolvedAttribute {
  attribute: ResourceAttribute;
  /** For a multi-valued attribute: the sub-attribute named in the path (`emails.type` → `type`). */
  subAttribute?: string;
}

/**
 * The attribute a path names, or undefined when the server does not support it. Names are
 * case-insensitive (RFC 7644 §3.10); a schema URN prefix must be the one the attribute belongs to;
 * extension attributes are also found without their prefix.
 */
export function resolveAttribute(resourceType: ResourceType, path: AttributePath): ResolvedAttribute | undefined {
  const schema = path.schema?.toLowerCase();
  const full = (path.subAttribute === undefined ? path.attribute : `${path.attribute}.${path.subAttribute}`).toLowerCase();
  const candidates = ENTRIES[resourceType].filter((e) => schema === undefined || e.schema.toLowerCase() === schema);
  const exact = candidates.find((e) => e.path.toLowerCase() === full);
  if (exact) return { attribute: exact.attribute };
  const multi = candidates.find((e) => e.attribute.kind === 'multiValued' && e.path.toLowerCase() === path.attribute.toLowerCase());
  if (multi && path.subAttribute !== undefined) return { attribute: multi.attribute, subAttribute: path.subAttribute };
  return undefined;
}

/** The attribute paths the server supports for `resourceType`, for error messages. */
export function supportedAttributes(resourceType: ResourceType): string[] {
  return ENTRIES[resourceType].flatMap((e) =>
    e.attribute.kind === 'multiValued' ? [...e.attribute.subAttributes.values()].map((s) => `${e.path}.${s.name}`) : [e.path],
  );
}

export function resourceName(resourceType: ResourceType): string {
  return resourceType === 'Users' ? 'User' : 'Group';
}
