import { isJsonObject } from '../json.js';
import { mapOperations, readOperation, withValue } from './json.js';
import type { Quirk } from './quirk.js';

/**
 * Entra ID sends unassigned attributes as `null` (`"addresses": null, "phoneNumbers": null,
 * "manager": null` on create) and member references as `{"$ref": null, "value": "…"}`; scimmy
 * rejects a null where it expects a collection. RFC 7643 §2.5 makes null and unassigned the same
 * state, so on POST and PUT (which replace the whole resource) every null is dropped. In a PATCH
 * only nulls inside multi-valued values are dropped: a top-level null there can mean "clear".
 */
export const dropNullAttributes: Quirk = (body, { method }) => {
  if (method === 'POST' || method === 'PUT') return isJsonObject(body) ? withoutNulls(body) : body;
  return mapOperations(body, (operation) => {
    const { value } = readOperation(operation);
    if (!Array.isArray(value) || !value.some((v) => v === null || (isJsonObject(v) && hasNull(v)))) return operation;
    return withValue(operation, withoutNulls(value));
  });
};

function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map((v) => withoutNulls(v)) as T;
  if (!isJsonObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== null) result[key] = withoutNulls(v);
  return result as T;
}

function hasNull(value: unknown): boolean {
  if (value === null) return true;
  if (Array.isArray(value)) return value.some(hasNull);
  return isJsonObject(value) && Object.values(value).some(hasNull);
}
