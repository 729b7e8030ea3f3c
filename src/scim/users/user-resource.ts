/**
 * A SCIM User ↔ a `source_users` row. The columns hold what idsync reasons about (userName, the
 * correlation e-mail, name parts, active, the enterprise `organization` as `company`); every other
 * attribute the client sent is kept in `attributes` so that it reads back as written:
 * core attributes flat (`title`, `nickName`, `phoneNumbers`, …), the name parts without columns
 * under `name`, and the enterprise extension flat (`employeeNumber`, `department`, `manager`, …) —
 * the layout src/store/observed/scim-columns.ts filters on. A password is never stored.
 */
import { emailKey } from '../../domain/email.js';
import type { UserRecord } from '../../ingest/records.js';
import type { SourceEmail } from '../../connector/connector.js';
import type { ScimUserRow } from '../../store/observed/scim-users.js';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../schema-urns.js';
import { compact, isJsonObject, stringOrNull, type JsonObject } from '../json.js';

/** Core attributes that have columns, or are never stored (`password`, `groups` is read-only). */
const NOT_IN_ATTRIBUTES = new Set(['schemas', 'id', 'externalId', 'meta', 'userName', 'name', 'displayName', 'active', 'emails', 'password', 'groups']);
const ENTERPRISE_FLAT = ['employeeNumber', 'costCenter', 'division', 'department', 'manager'] as const;
const NAME_EXTRAS = ['formatted', 'middleName', 'honorificPrefix', 'honorificSuffix'] as const;
/** Output order of the core attributes kept in `attributes`, as RFC 7643 §4.1 lists them. */
const CORE_EXTRAS = [
  'nickName',
  'profileUrl',
  'title',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
  'phoneNumbers',
  'ims',
  'photos',
  'addresses',
  'entitlements',
  'roles',
  'x509Certificates',
] as const;

export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/** The resource a row represents, as sent to clients. `base` is the server's SCIM base URL. */
export function toUserResource(row: ScimUserRow, base: string): JsonObject {
  const attributes = row.attributes ?? {};
  const nameExtras = isJsonObject(attributes['name']) ? attributes['name'] : {};
  const name = compact({
    formatted: nameExtras['formatted'],
    familyName: row.family_name,
    givenName: row.given_name,
    middleName: nameExtras['middleName'],
    honorificPrefix: nameExtras['honorificPrefix'],
    honorificSuffix: nameExtras['honorificSuffix'],
  });
  const enterprise = compact({
    employeeNumber: attributes['employeeNumber'],
    costCenter: attributes['costCenter'],
    organization: row.company,
    division: attributes['division'],
    department: attributes['department'],
    manager: attributes['manager'],
  });
  const hasEnterprise = Object.keys(enterprise).length > 0;
  const resource: JsonObject = {
    schemas: hasEnterprise ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [USER_SCHEMA],
    id: row.id,
  };
  if (row.external_id !== null) resource['externalId'] = row.external_id;
  resource['userName'] = row.user_name;
  if (Object.keys(name).length > 0) resource['name'] = name;
  if (row.display_name !== null) resource['displayName'] = row.display_name;
  resource['active'] = row.active;
  if (row.emails && row.emails.length > 0) resource['emails'] = row.emails;
  for (const key of CORE_EXTRAS) if (attributes[key] !== undefined && attributes[key] !== null) resource[key] = attributes[key];
  if (hasEnterprise) resource[ENTERPRISE_USER_SCHEMA] = enterprise;
  const location = `${base}/Users/${row.id}`;
  resource['meta'] = {
    resourceType: 'User',
    created: row.created_at.toISOString(),
    lastModified: row.updated_at.toISOString(),
    location,
    version: etagOf(row.version),
  };
  return resource;
}

/**
 * The record ingest writes for a resource that scimmy has validated and coerced (canonical
 * attribute names, booleans as booleans). The correlation e-mail is the primary address, else
 * `userName` when it is an address, else the first address among the e-mails.
 */
export function toUserRecord(id: string, resource: JsonObject): UserRecord {
  const name = isJsonObject(resource['name']) ? resource['name'] : {};
  const enterprise = isJsonObject(resource[ENTERPRISE_USER_SCHEMA]) ? resource[ENTERPRISE_USER_SCHEMA] : {};
  const emails = toEmails(resource['emails']);
  const userName = String(resource['userName']);

  const attributes: JsonObject = {};
  for (const [key, value] of Object.entries(resource)) {
    if (NOT_IN_ATTRIBUTES.has(key) || key.startsWith('urn:') || value === undefined || value === null) continue;
    attributes[key] = value;
  }
  const nameExtras = compact(Object.fromEntries(NAME_EXTRAS.map((k) => [k, name[k]])));
  if (Object.keys(nameExtras).length > 0) attributes['name'] = nameExtras;
  for (const key of ENTERPRISE_FLAT) if (enterprise[key] !== undefined && enterprise[key] !== null) attributes[key] = enterprise[key];

  return {
    id,
    externalId: stringOrNull(resource['externalId']),
    userName,
    email: correlationEmail(emails, userName),
    emails,
    givenName: stringOrNull(name['givenName']),
    familyName: stringOrNull(name['familyName']),
    displayName: stringOrNull(resource['displayName']),
    company: stringOrNull(enterprise['organization']),
    active: resource['active'] !== false,
    attributes,
  };
}

function toEmails(value: unknown): SourceEmail[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isJsonObject).map((e) => compact({ value: e['value'], type: e['type'], primary: e['primary'], display: e['display'] }) as unknown as SourceEmail);
}

function correlationEmail(emails: SourceEmail[], userName: string): string | null {
  const primary = emails.find((e) => e.primary === true && emailKey(e.value) !== null);
  if (primary) return primary.value;
  if (emailKey(userName) !== null) return userName;
  return emails.find((e) => emailKey(e.value) !== null)?.value ?? null;
}
