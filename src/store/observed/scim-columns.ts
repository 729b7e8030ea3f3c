/**
 * How `source_users` / `source_groups` store what a SCIM filter or sort can read: one SQL
 * expression per readable value, over the alias of the row (or, for the values of a multi-valued
 * attribute, of the element row). src/scim/filter/attributes.ts names these keys for each SCIM
 * attribute path; no client text ever reaches SQL as an identifier.
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

type ColumnSql = (alias: string) => string;

const PLAIN_ALIAS = /^[a-z_][a-z0-9_]{0,30}$/;

/**
 * Refuses an alias that is not a plain SQL identifier: the expressions below splice it into SQL
 * text as it is. `caller` names the function in the message.
 */
export function assertPlainAlias(alias: string, caller: string): void {
  if (!PLAIN_ALIAS.test(alias)) throw new TypeError(`${caller}: "${alias}" is not a plain SQL alias`);
}

// A jsonb value read defensively: an unexpected shape yields null rather than a SQL error.
const jsonArray = (column: string) => `jsonb_array_elements(case when jsonb_typeof(${column}) = 'array' then ${column} else '[]'::jsonb end)`;
const jsonBoolean = (json: string) => `(case when jsonb_typeof(${json}) = 'boolean' then (${json})::boolean end)`;
const json = (key: string): ColumnSql => (a) => `(${a}.attributes->>'${key}')`;

/** The single values of a user or group row. */
export const ROW_COLUMNS = {
  id: (a) => `${a}.id`,
  externalId: (a) => `${a}.external_id`,
  userName: (a) => `${a}.user_name`,
  displayName: (a) => `${a}.display_name`,
  givenName: (a) => `${a}.given_name`,
  familyName: (a) => `${a}.family_name`,
  title: json('title'),
  active: (a) => `${a}.active`,
  created: (a) => `${a}.created_at`,
  lastModified: (a) => `${a}.updated_at`,
  employeeNumber: json('employeeNumber'),
  department: json('department'),
  costCenter: json('costCenter'),
  division: json('division'),
  organization: (a) => `${a}.company`,
  manager: (a) => `(${a}.attributes->'manager'->>'value')`,
} as const satisfies Record<string, ColumnSql>;

export type RowColumn = keyof typeof ROW_COLUMNS;

/** The values of one element of a multi-valued attribute, over the element row's alias. */
export const ELEMENT_COLUMNS = {
  'emails.value': (e) => `(${e}->>'value')`,
  'emails.type': (e) => `(${e}->>'type')`,
  'emails.display': (e) => `(${e}->>'display')`,
  'emails.primary': (e) => jsonBoolean(`${e}->'primary'`),
  'members.value': (m) => `${m}.user_id`,
} as const satisfies Record<string, ColumnSql>;

export type ElementColumn = keyof typeof ELEMENT_COLUMNS;

/** A multi-valued attribute: a set of rows, tested with `exists`. */
export interface ValueSet {
  /** The `from` item that yields one row per value, named `element`. */
  from: (alias: string, element: string) => string;
  /** What ties the values to the resource row, when `from` does not already. */
  correlate?: (alias: string, element: string) => string;
  /** Sort key (RFC 7644 §3.4.2.3: the primary value, else the first), if it can be sorted on. */
  sortSql?: (alias: string) => string;
  /**
   * An indexable condition implied by "some value's `value` equals (case-insensitively) the text
   * in `param`", and-ed before the exact `exists` so the planner can use an index
   * (migration 003: `idsync_email_values`).
   */
  valueEqualsHint?: (alias: string, param: string) => string;
}

export const VALUE_SETS = {
  emails: {
    from: (alias, element) => `${jsonArray(`${alias}.emails`)} as ${element}`,
    sortSql: (alias) =>
      `(select lower(${alias}_sort.e->>'value') from ${jsonArray(`${alias}.emails`)} with ordinality as ${alias}_sort(e, n)` +
      ` order by coalesce(${alias}_sort.e->'primary' = 'true'::jsonb, false) desc, ${alias}_sort.n limit 1)`,
    valueEqualsHint: (alias, param) => `idsync_email_values(${alias}.emails) @> array[lower(${param})]`,
  },
  members: {
    from: (_alias, element) => `source_group_members ${element}`,
    correlate: (alias, element) => `${element}.source_id = ${alias}.source_id and ${element}.group_id = ${alias}.id`,
  },
} as const satisfies Record<string, ValueSet>;

export type ValueSetName = keyof typeof VALUE_SETS;

/** The multi-valued attributes a list can be sorted by (their primary, else first, value). */
export type SortableSet = { [K in ValueSetName]: (typeof VALUE_SETS)[K] extends { sortSql: unknown } ? K : never }[ValueSetName];
