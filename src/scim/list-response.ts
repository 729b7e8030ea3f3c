import type { JsonObject } from './json.js';
import { LIST_RESPONSE } from './schema-urns.js';

/** A ListResponse message (RFC 7644 §3.4.2): one page of `resources` out of `total`, starting at `startIndex` (1-based). */
export function listResponse(total: number, startIndex: number, resources: JsonObject[]): JsonObject {
  return { schemas: [LIST_RESPONSE], totalResults: total, itemsPerPage: resources.length, startIndex, Resources: resources };
}
