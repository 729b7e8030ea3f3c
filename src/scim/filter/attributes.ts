/**
 * Which SCIM attributes the server can filter and sort on, their types, and which stored value
 * each one reads (the SQL for those keys is in src/store/observed/scim-columns.ts). The filter
 * resolver and the sort check accept nothing that is not listed here, so no client text ever
 * reaches SQL as an identifier.
 */
import type { ElementColumn, RowColumn, SortableSet, ValueSetName } from '../../store/observed/scim-columns.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../schema-urns.js';
import type { AttributePath } from './ast.js';

export type ResourceType = 'Users' | 'Groups';

/** How values compare: `uuid` tolerates non-uuid input (it matches nothing instead of failing). */
export type ValueType = 'string' | 'boolean' | 'dateTime' | 'uuid';

/** A single value read from one stored column: a row column, or for a sub-attribute, a column of its element row. */
export interface ScalarAttribute<Column extends RowColumn | ElementColumn = RowColumn | ElementColumn> {
  kind: 'scalar';
  /** The SCIM name, for messages: `userName`, `name.givenName`. */
  name: string;
  type: ValueType;
  /** RFC 7643 `caseExact`; false → compared through `lower()`. */
  caseExact: boolean;
  column: Column;
}

/** A multi-valued attribute: a set of stored values, each with sub-attributes. */
export interface MultiValuedAttribute {
  kind: 'multiValued';
  name: string;
  set: ValueSetName;
  /** Sub-attributes by lower-cased name; their columns are the set's element columns. */
  subAttributes: ReadonlyMap<string, ScalarAttribute<ElementColumn>>;
  /** Set when a list can be sorted by it (RFC 7644 §3.4.2.3: by the primary value, else the first). */
  sortBy?: SortableSet;
}

export type ResourceAttribute = ScalarAttribute<RowColumn> | MultiValuedAttribute;

interface Entry {
  schema: string;
  /** `attribute` or `attribute.subAttribute`, as SCIM spells it. */
  path: string;
  attribute: ResourceAttribute;
}

const scalar = <Column extends RowColumn | ElementColumn>(name: string, type: ValueType, caseExact: boolean, column: Column): ScalarAttribute<Column> => ({
  kind: 'scalar',
  name,
  type,
  caseExact,
  column,
});

const subAttributes = (list: ScalarAttribute<ElementColumn>[]): ReadonlyMap<string, ScalarAttribute<ElementColumn>> =>
  new Map(list.map((a) => [a.name.toLowerCase(), a]));

const emails: MultiValuedAttribute = {
  kind: 'multiValued',
  name: 'emails',
  set: 'emails',
  subAttributes: subAttributes([
    scalar('value', 'string', false, 'emails.value'),
    scalar('type', 'string', false, 'emails.type'),
    scalar('display', 'string', false, 'emails.display'),
    scalar('primary', 'boolean', true, 'emails.primary'),
  ]),
  sortBy: 'emails',
};

const members: MultiValuedAttribute = {
  kind: 'multiValued',
  name: 'members',
  set: 'members',
  subAttributes: subAttributes([scalar('value', 'uuid', false, 'members.value')]),
};

const meta = (schema: string): Entry[] => [
  { schema, path: 'meta.created', attribute: scalar('meta.created', 'dateTime', true, 'created') },
  { schema, path: 'meta.lastModified', attribute: scalar('meta.lastModified', 'dateTime', true, 'lastModified') },
];

const USER_ENTRIES: Entry[] = [
  { schema: USER_SCHEMA, path: 'id', attribute: scalar('id', 'uuid', false, 'id') },
  { schema: USER_SCHEMA, path: 'externalId', attribute: scalar('externalId', 'string', true, 'externalId') },
  { schema: USER_SCHEMA, path: 'userName', attribute: scalar('userName', 'string', false, 'userName') },
  { schema: USER_SCHEMA, path: 'displayName', attribute: scalar('displayName', 'string', false, 'displayName') },
  { schema: USER_SCHEMA, path: 'name.givenName', attribute: scalar('name.givenName', 'string', false, 'givenName') },
  { schema: USER_SCHEMA, path: 'name.familyName', attribute: scalar('name.familyName', 'string', false, 'familyName') },
  { schema: USER_SCHEMA, path: 'title', attribute: scalar('title', 'string', false, 'title') },
  { schema: USER_SCHEMA, path: 'active', attribute: scalar('active', 'boolean', true, 'active') },
  { schema: USER_SCHEMA, path: 'emails', attribute: emails },
  ...meta(USER_SCHEMA),
  { schema: ENTERPRISE_USER_SCHEMA, path: 'employeeNumber', attribute: scalar('employeeNumber', 'string', false, 'employeeNumber') },
  { schema: ENTERPRISE_USER_SCHEMA, path: 'department', attribute: scalar('department', 'string', false, 'department') },
  { schema: ENTERPRISE_USER_SCHEMA, path: 'costCenter', attribute: scalar('costCenter', 'string', false, 'costCenter') },
  { schema: ENTERPRISE_USER_SCHEMA, path: 'division', attribute: scalar('division', 'string', false, 'division') },
  { schema: ENTERPRISE_USER_SCHEMA, path: 'organization', attribute: scalar('organization', 'string', false, 'organization') },
  // Entra ID checks a manager with `manager eq "<id>"`; a complex attribute without a
  // sub-attribute is read as its `value`.
  { schema: ENTERPRISE_USER_SCHEMA, path: 'manager', attribute: scalar('manager', 'string', true, 'manager') },
  { schema: ENTERPRISE_USER_SCHEMA, path: 'manager.value', attribute: scalar('manager.value', 'string', true, 'manager') },
];

const GROUP_ENTRIES: Entry[] = [
  { schema: GROUP_SCHEMA, path: 'id', attribute: scalar('id', 'uuid', false, 'id') },
  { schema: GROUP_SCHEMA, path: 'externalId', attribute: scalar('externalId', 'string', true, 'externalId') },
  { schema: GROUP_SCHEMA, path: 'displayName', attribute: scalar('displayName', 'string', false, 'displayName') },
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
