import { isJsonObject, type JsonObject } from '../json.js';
import { ENTERPRISE_USER_SCHEMA } from '../schema-urns.js';
import { findKey, mapOperations, readOperation, targetOf } from './json.js';
import type { Quirk } from './quirk.js';

const ENTERPRISE_ATTRIBUTES = new Map(
  ['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager'].map((name) => [name.toLowerCase(), name]),
);

/**
 * Entra ID's documented requests name enterprise attributes without their schema: a PATCH with
 * `"path":"manager"`, a create with top-level `"department"` and `"manager"`. scimmy only finds
 * extension attributes under their URN (`invalidPath` otherwise, or silently dropped on create),
 * so such paths get the enterprise URN prefix and such keys move into the extension object. No
 * core User attribute shares these names, so this cannot change the meaning of a request.
 */
export const qualifyEnterpriseAttributes: Quirk = (body, { method, resourceType }) => {
  if (resourceType !== 'Users') return body;
  if (method === 'POST' || method === 'PUT') return isJsonObject(body) ? moveIntoExtension(body) : body;
  return mapOperations(body, (operation) => {
    const { path } = readOperation(operation);
    if (path === undefined) return operation;
    const target = targetOf(path);
    if (target?.schema !== 'core' || /^urn:/i.test(path) || !ENTERPRISE_ATTRIBUTES.has(target.attribute)) return operation;
    const pathKey = findKey(operation, 'path') ?? 'path';
    return { ...operation, [pathKey]: `${ENTERPRISE_USER_SCHEMA}:${path}` };
  });
};

function moveIntoExtension(resource: JsonObject): JsonObject {
  const moved = Object.keys(resource).filter((key) => ENTERPRISE_ATTRIBUTES.has(key.toLowerCase()));
  if (moved.length === 0) return resource;
  const extensionKey = findKey(resource, ENTERPRISE_USER_SCHEMA) ?? ENTERPRISE_USER_SCHEMA;
  const existing = resource[extensionKey];
  const extension: JsonObject = isJsonObject(existing) ? { ...existing } : {};
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(resource)) {
    if (!moved.includes(key)) result[key] = value;
    // An attribute already given inside the extension wins over the stray top-level one.
    else if (findKey(extension, key) === undefined) extension[ENTERPRISE_ATTRIBUTES.get(key.toLowerCase()) ?? key] = value;
  }
  result[extensionKey] = extension;
  return result;
}
