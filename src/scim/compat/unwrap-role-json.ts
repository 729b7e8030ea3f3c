import { isJsonObject, type JsonObject } from '../json.js';
import { findKey, mapOperations, readOperation, targetOf, withValue } from './json.js';
import type { Quirk } from './quirk.js';

/**
 * Entra ID's SingleAppRoleAssignment creates a user with the app role as a SCIM role
 * (`"roles":[{"primary":"True","type":"WindowsAzureActiveDirectoryRole","value":"Admin"}]`), but
 * adds one by PATCH with the role serialised as JSON inside `value`:
 *
 *   {"op":"Add","path":"roles","value":[{"value":"{\"id\":\"06b07648-…\",\"value\":\"25\",\"displayName\":\"Role1234\"}"}]}
 *
 * Rules match `roles[].value`, so the same app role must read the same whichever way it came: the
 * JSON's `value` becomes the role's value and its `displayName` the role's `display` (unless one is
 * given). A value that is not such a JSON object is an ordinary role and stays as it is.
 */
export const unwrapRoleJson: Quirk = (body, { method, resourceType }) => {
  if (resourceType !== 'Users') return body;
  if (method === 'POST' || method === 'PUT') return isJsonObject(body) ? inResource(body) : body;
  return mapOperations(body, (operation) => {
    const { path, value } = readOperation(operation);
    if (path === undefined) return isJsonObject(value) ? withValue(operation, inResource(value)) : operation;
    const target = targetOf(path);
    if (target?.schema !== 'core' || target.attribute !== 'roles' || target.filtered || target.subAttribute !== undefined) return operation;
    const roles = unwrapped(value);
    return roles === value ? operation : withValue(operation, roles);
  });
};

/** A resource, or a pathless PATCH value: its `roles`. */
function inResource(resource: JsonObject): JsonObject {
  const key = findKey(resource, 'roles');
  if (key === undefined) return resource;
  const roles = unwrapped(resource[key]);
  return roles === resource[key] ? resource : { ...resource, [key]: roles };
}

/** `value` (one role or an array of them) with JSON-serialised roles unwrapped; itself when none was. */
function unwrapped(value: unknown): unknown {
  if (!Array.isArray(value)) return isJsonObject(value) ? (role(value) ?? value) : value;
  const roles = value.map((v) => (isJsonObject(v) ? role(v) : undefined));
  return roles.some((r) => r !== undefined) ? value.map((v, i) => roles[i] ?? v) : value;
}

/** The role with its serialised value unwrapped, or undefined when its value is not Entra's JSON. */
function role(value: JsonObject): JsonObject | undefined {
  const valueKey = findKey(value, 'value');
  const text = valueKey === undefined ? undefined : value[valueKey];
  if (valueKey === undefined || typeof text !== 'string' || !text.trimStart().startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isJsonObject(parsed) || typeof parsed['value'] !== 'string') return undefined;
  const result: JsonObject = { ...value, [valueKey]: parsed['value'] };
  if (findKey(value, 'display') === undefined && typeof parsed['displayName'] === 'string') result['display'] = parsed['displayName'];
  return result;
}
