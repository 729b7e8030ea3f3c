import { isJsonObject, type JsonObject } from '../json.js';
import { ENTERPRISE_USER_SCHEMA } from '../schema-urns.js';
import { findKey, isSchemaKey, mapOperations, readOperation, withValue } from './json.js';
import type { Quirk } from './quirk.js';

/**
 * SCIM test suites replace the enterprise extension as a whole with the extension written out as
 * a resource, `schemas` member included:
 *
 *   {"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
 *    "value":{"schemas":["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"department":"…"}}
 *
 * `schemas` is an attribute of the resource, not of an extension (RFC 7643 §3); scimmy refuses the
 * unknown key with a JavaScript error. It says nothing the path does not already say, so it is
 * dropped — in a value for the extension's path and in a pathless value's extension object. A
 * POST or PUT needs no help: scimmy ignores it there.
 */
export const dropExtensionSchemas: Quirk = (body, { method, resourceType }) => {
  if (method !== 'PATCH' || resourceType !== 'Users') return body;
  return mapOperations(body, (operation) => {
    const { path, value } = readOperation(operation);
    if (!isJsonObject(value)) return operation;
    if (path !== undefined) return isSchemaKey(path, ENTERPRISE_USER_SCHEMA) && hasSchemas(value) ? withValue(operation, withoutSchemas(value)) : operation;
    const key = findKey(value, ENTERPRISE_USER_SCHEMA);
    const extension = key === undefined ? undefined : value[key];
    if (key === undefined || !isJsonObject(extension) || !hasSchemas(extension)) return operation;
    return withValue(operation, { ...value, [key]: withoutSchemas(extension) });
  });
};

function hasSchemas(value: JsonObject): boolean {
  return findKey(value, 'schemas') !== undefined;
}

function withoutSchemas(value: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(value).filter(([key]) => key.toLowerCase() !== 'schemas'));
}
