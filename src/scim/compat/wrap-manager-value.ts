import { isJsonObject, type JsonObject } from '../json.js';
import { ENTERPRISE_USER_SCHEMA } from '../schema-urns.js';
import { findKey, isSchemaKey, mapOperations, readOperation, targetOf, withValue } from './json.js';
import type { Quirk } from './quirk.js';

/**
 * `manager` is a complex attribute (`{"value": "<id>"}`, RFC 7643 §4.3), but Entra ID sends it as
 * a bare id (`{"op":"Replace","path":"urn:…:enterprise:2.0:User:manager","value":"2619…"}`) or as
 * a one-element array (`"value":[{"$ref":"…/Users/2619…","value":"2619…"}]`). Both become the
 * object scimmy expects, in PATCH values and in created or replaced resources.
 */
export const wrapManagerValue: Quirk = (body, { method, resourceType }) => {
  if (resourceType !== 'Users') return body;
  if (method === 'POST' || method === 'PUT') return isJsonObject(body) ? inResource(body) : body;
  return mapOperations(body, (operation) => {
    const { path, value } = readOperation(operation);
    if (path === undefined) return isJsonObject(value) ? withValue(operation, inResource(value)) : operation;
    const target = targetOf(path);
    const isManager = target?.attribute === 'manager' && target.subAttribute === undefined && (target.schema === 'enterprise' || target.schema === 'core');
    return isManager ? withValue(operation, toManager(value)) : operation;
  });
};

/** A resource, or a pathless PATCH value: the extension object's `manager`, or a URN-prefixed key. */
function inResource(resource: JsonObject): JsonObject {
  const result: JsonObject = { ...resource };
  for (const [key, value] of Object.entries(resource)) {
    if (isSchemaKey(key, ENTERPRISE_USER_SCHEMA) && isJsonObject(value)) {
      const managerKey = findKey(value, 'manager');
      if (managerKey !== undefined) result[key] = { ...value, [managerKey]: toManager(value[managerKey]) };
    } else if (isSchemaKey(key, `${ENTERPRISE_USER_SCHEMA}:manager`)) {
      result[key] = toManager(value);
    }
  }
  return result;
}

function toManager(value: unknown): unknown {
  if (typeof value === 'string') return { value };
  if (Array.isArray(value) && value.length === 1) {
    const [only] = value;
    if (typeof only === 'string' || isJsonObject(only)) return toManager(only);
  }
  return value;
}
