/**
 * The query parameters of a SCIM read (RFC 7644 §3.4.2): `filter`, `startIndex`, `count`,
 * `sortBy`, `sortOrder`, `attributes`, `excludedAttributes`.
 */
import type { ScimListQuery } from '../store/observed/scim-list-page.js';
import { ScimError } from './scim-error.js';
import { parseFilter } from './filter/parse-filter.js';
import type { FilterNode } from './filter/ast.js';
import type { ResourceType } from './filter/attributes.js';
import { resolveFilter } from './filter/resolve-filter.js';
import { resolveSort } from './filter/sort.js';

export interface Projection {
  /** Lower-cased attribute paths to return (besides `id` and `schemas`), when the client named some. */
  attributes?: string[];
  /** Lower-cased attribute paths to leave out. */
  excludedAttributes?: string[];
}

export interface ListQuery extends Projection {
  filter?: FilterNode;
  /** 1-based. */
  startIndex: number;
  count: number;
  sortBy?: string;
  sortOrder?: string;
}

/** Page size when the client gives no `count`, and the most one page returns (advertised as `filter.maxResults`). */
export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 1000;

export type QueryParams = Readonly<Record<string, unknown>>;

/** One query parameter as a string; repeated or structured parameters are a 400. */
export function queryString(query: QueryParams, name: string): string | undefined {
  const key = Object.keys(query).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : query[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ScimError(400, 'invalidValue', `The query parameter "${name}" must be given once`);
  return value;
}

export function parseProjection(query: QueryParams): Projection {
  const projection: Projection = {};
  const attributes = queryString(query, 'attributes');
  const excluded = queryString(query, 'excludedAttributes');
  if (attributes !== undefined && attributes.trim() !== '') projection.attributes = splitPaths(attributes);
  if (excluded !== undefined && excluded.trim() !== '') projection.excludedAttributes = splitPaths(excluded);
  return projection;
}

export function parseListQuery(query: QueryParams): ListQuery {
  const filter = queryString(query, 'filter');
  const result: ListQuery = {
    ...parseProjection(query),
    startIndex: Math.max(1, integer(query, 'startIndex') ?? 1),
    count: Math.min(MAX_COUNT, Math.max(0, integer(query, 'count') ?? DEFAULT_COUNT)),
  };
  if (filter !== undefined && filter.trim() !== '') result.filter = parseFilter(filter);
  const sortBy = queryString(query, 'sortBy');
  const sortOrder = queryString(query, 'sortOrder');
  if (sortBy !== undefined) result.sortBy = sortBy;
  if (sortOrder !== undefined) result.sortOrder = sortOrder;
  return result;
}

/**
 * The store's form of a list request: the filter and the order checked and resolved to stored
 * values. A request for the count alone (`count=0`) is not ordered, so its `sortBy` is not checked.
 * @throws ScimError 400 for a filter or `sortBy` the server does not support.
 */
export function storedListQuery(query: ListQuery, resourceType: ResourceType): ScimListQuery {
  const filter = query.filter && resolveFilter(query.filter, resourceType);
  const order = query.count === 0 ? undefined : resolveSort({ resourceType, sortBy: query.sortBy, sortOrder: query.sortOrder });
  return { filter, order, count: query.count, startIndex: query.startIndex };
}

function integer(query: QueryParams, name: string): number | undefined {
  const text = queryString(query, name);
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value)) throw new ScimError(400, 'invalidValue', `The query parameter "${name}" must be an integer, not "${text.slice(0, 40)}"`);
  // Far beyond any real page; clamped so that it stays a safe SQL integer.
  return Math.max(-1, Math.min(value, 2_000_000_000));
}

/**
 * `userName,name.givenName, emails` → lower-cased paths. A value filter (`emails[type eq "work"]`,
 * which Microsoft's reference collection sends) is not part of the attribute grammar; it selects
 * the attribute, so it is dropped rather than refused.
 */
function splitPaths(text: string): string[] {
  const paths: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (depth === 0 && c === ',') {
      paths.push(current);
      current = '';
    } else if (depth === 0) current += c;
  }
  paths.push(current);
  return paths.map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
}
