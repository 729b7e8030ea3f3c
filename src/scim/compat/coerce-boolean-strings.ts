import { isJsonObject, type JsonObject } from '../json.js';
import { findKey, mapOperations, readOperation, targetOf, withValue, type Target } from './json.js';
import type { Quirk } from './quirk.js';

/** User attributes whose values carry a boolean `primary` (RFC 7643 §4.1.2). */
const WITH_PRIMARY = new Set(['emails', 'phonenumbers', 'ims', 'photos', 'addresses', 'entitlements', 'roles', 'x509certificates']);

/**
 * Entra ID without `aadOptscim062020` sends booleans as strings (`"value": "False"` to disable a
 * user, `"active": "True"` on create), and OneLogin's JSON templates substitute every value as text
 * (`"active": "true"`, `"primary": "1"`). Where the User schema says boolean — `active` and the
 * `primary` of multi-valued attributes — the strings true/false/1/0 (any case, trimmed) become
 * booleans. Nothing else is touched: a string attribute that happens to read "true" stays a string.
 */
export const coerceBooleanStrings: Quirk = (body, { method, resourceType }) => {
  if (resourceType !== 'Users') return body;
  if (method === 'POST' || method === 'PUT') return isJsonObject(body) ? inResource(body) : body;
  return mapOperations(body, (operation) => {
    const { path, value } = readOperation(operation);
    if (path === undefined) return isJsonObject(value) ? withValue(operation, inResource(value)) : operation;
    const target = targetOf(path);
    return target === undefined ? operation : withValue(operation, at(target, value));
  });
};

export function toBoolean(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim().toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return value;
}

/** A resource, or a pathless PATCH value whose keys may be paths (`emails[type eq "work"].primary`). */
function inResource(resource: JsonObject): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(resource)) {
    const target = targetOf(key);
    result[key] = target === undefined ? value : at(target, value);
  }
  return result;
}

/** `value` written at `target`, with its booleans coerced. */
function at(target: Target, value: unknown): unknown {
  if (target.schema !== 'core') return value;
  if (target.attribute === 'active' && target.subAttribute === undefined) return toBoolean(value);
  if (!WITH_PRIMARY.has(target.attribute)) return value;
  if (target.subAttribute === 'primary') return toBoolean(value);
  if (target.subAttribute !== undefined) return value;
  if (Array.isArray(value)) return value.map(element);
  return element(value);
}

function element(value: unknown): unknown {
  if (!isJsonObject(value)) return value;
  const key = findKey(value, 'primary');
  return key === undefined ? value : { ...value, [key]: toBoolean(value[key]) };
}
