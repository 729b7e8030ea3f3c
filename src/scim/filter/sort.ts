/**
 * `sortBy` / `sortOrder` (RFC 7644 §3.4.2.3), checked and resolved to the stored value to order by;
 * the store writes the `order by` clause (src/store/observed/scim-order-sql.ts).
 *
 * An attribute the server cannot sort on is a 400 `invalidValue` naming it, rather than being
 * ignored: the RFC leaves sorting optional but says nothing about unknown attributes, and a client
 * that asks for an order it does not get would page through a list it believes is sorted. None of
 * Entra ID, Okta or OneLogin sends `sortBy`, so strictness costs no compatibility.
 */
import type { ColumnOrder } from '../../store/observed/scim-order-sql.js';
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
}

/**
 * The order of a list request; undefined without `sortBy` (the store then orders by creation time,
 * then id), and `sortOrder` alone is ignored, as the RFC says it applies only with `sortBy`.
 * @throws ScimError 400 `invalidValue` for an attribute that cannot be sorted on or a bad `sortOrder`.
 */
export function resolveSort(options: SortOptions): ColumnOrder | undefined {
  const sortBy = options.sortBy?.trim();
  if (sortBy === undefined || sortBy === '') return undefined;
  const order = parseSortOrder(options.sortOrder);
  return { by: sortKey(options.resourceType, sortBy), descending: order === 'descending' };
}

function parseSortOrder(text: string | undefined): SortOrder {
  const value = text?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'ascending') return 'ascending';
  if (value === 'descending') return 'descending';
  throw new ScimError(400, 'invalidValue', `sortOrder must be "ascending" or "descending", not "${text}"`);
}

function sortKey(resourceType: ResourceType, sortBy: string): ColumnOrder['by'] {
  const path = toAttributePath(sortBy);
  const resolved = path && resolveAttribute(resourceType, path);
  const attribute = resolved?.attribute;
  if (attribute?.kind === 'scalar') return { column: attribute.column, fold: attribute.type === 'string' && !attribute.caseExact };
  // A multi-valued attribute sorts by its primary (else first) value; only `value` is a key.
  const subAttribute = resolved?.subAttribute?.toLowerCase();
  if (attribute?.kind === 'multiValued' && attribute.sortBy && (subAttribute === undefined || subAttribute === 'value')) {
    return { set: attribute.sortBy };
  }
  throw new ScimError(400, 'invalidValue', `Sorting ${resourceName(resourceType)}s by "${sortBy}" is not supported`);
}
