/**
 * `sortBy` / `sortOrder` (RFC 7644 §3.4.2.3) as an SQL `order by` clause.
 *
 * An attribute the server cannot sort on is a 400 `invalidValue` naming it, rather than being
 * ignored: the RFC leaves sorting optional but says nothing about unknown attributes, and a client
 * that asks for an order it does not get would page through a list it believes is sorted. None of
 * Entra ID, Okta or OneLogin sends `sortBy`, so strictness costs no compatibility.
 *
 * Resources without a value sort last ascending and first descending, as the RFC asks (PostgreSQL's
 * own `nulls last` / `nulls first` defaults, spelled out). The row id is always the last key, so
 * `startIndex` paging is stable across requests.
 */
import { ScimError } from '../scim-error.js';
import { resolveAttribute, resourceName, type ResourceType } from './attributes.js';
import { toAttributePath } from './parser.js';

export type SortOrder = 'ascending' | 'descending';

export interface SortOptions {
  resourceType: ResourceType;
  /** The `sortBy` query parameter, e.g. `userName`, `name.familyName`, `meta.lastModified`. */
  sortBy?: string | undefined;
  /** The `sortOrder` query parameter; `ascending` (the default) or `descending`, any case. */
  sortOrder?: string | undefined;
  /** Alias of `source_users` / `source_groups`. Default `u` for Users, `g` for Groups. */
  alias?: string;
}

export interface OrderBy {
  /** A complete clause: `order by lower(u.user_name) asc nulls last, u.id asc`. */
  sql: string;
}

const ALIAS = /^[a-z_][a-z0-9_]{0,30}$/;

/**
 * The `order by` clause for a list request. Without `sortBy` the order is creation time, then id
 * (and `sortOrder` alone is ignored, as the RFC says it applies only with `sortBy`).
 * @throws ScimError 400 `invalidValue` for an attribute that cannot be sorted on or a bad `sortOrder`.
 */
export function sortToSql(options: SortOptions): OrderBy {
  const alias = options.alias ?? (options.resourceType === 'Users' ? 'u' : 'g');
  if (!ALIAS.test(alias)) throw new TypeError(`sortToSql: "${alias}" is not a plain SQL alias`);
  const sortBy = options.sortBy?.trim();
  if (sortBy === undefined || sortBy === '') return { sql: `order by ${alias}.created_at asc, ${alias}.id asc` };

  const order = parseSortOrder(options.sortOrder);
  const key = sortKey(options.resourceType, sortBy, alias);
  const direction = order === 'ascending' ? 'asc nulls last' : 'desc nulls first';
  return { sql: `order by ${key} ${direction}, ${alias}.id ${order === 'ascending' ? 'asc' : 'desc'}` };
}

function parseSortOrder(text: string | undefined): SortOrder {
  const value = text?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'ascending') return 'ascending';
  if (value === 'descending') return 'descending';
  throw new ScimError(400, 'invalidValue', `sortOrder must be "ascending" or "descending", not "${text}"`);
}

function sortKey(resourceType: ResourceType, sortBy: string, alias: string): string {
  const path = toAttributePath(sortBy);
  const resolved = path && resolveAttribute(resourceType, path);
  const attribute = resolved?.attribute;
  if (attribute?.kind === 'scalar') {
    const column = attribute.sql(alias);
    return attribute.type === 'string' && !attribute.caseExact ? `lower(${column})` : column;
  }
  // A multi-valued attribute sorts by its primary (else first) value; only `value` is a key.
  const subAttribute = resolved?.subAttribute?.toLowerCase();
  if (attribute?.kind === 'multiValued' && attribute.sortSql && (subAttribute === undefined || subAttribute === 'value')) {
    return attribute.sortSql(alias);
  }
  throw new ScimError(400, 'invalidValue', `Sorting ${resourceName(resourceType)}s by "${sortBy}" is not supported`);
}
