import { isJsonObject } from '../json.js';
import { findKey, mapOperations, readOperation, targetOf, withValue } from './json.js';
import type { Quirk } from './quirk.js';

/**
 * Okta creates users with `"password": "1mz050nq", "groups": []` (and PUTs `"groups": []` back),
 * and syncs passwords with `{"op":"replace","value":{"password":"…"}}`. idsync never stores or
 * echoes a password, so it is dropped before anything else sees it; `groups` is read-only
 * (RFC 7643 §4.1.2: membership changes go through the Group resource), so it is dropped too.
 */
export const stripPasswordAndGroups: Quirk = (body, { method, resourceType }) => {
  if (resourceType !== 'Users') return body;
  if (method === 'POST' || method === 'PUT') return isJsonObject(body) ? without(body, ['password', 'groups']) : body;
  return mapOperations(body, (operation) => {
    const { path, value } = readOperation(operation);
    if (path !== undefined) {
      const target = targetOf(path);
      return target?.schema === 'core' && target.attribute === 'password' ? undefined : operation;
    }
    if (!isJsonObject(value) || findKey(value, 'password') === undefined) return operation;
    const rest = without(value, ['password']);
    return Object.keys(rest).length === 0 ? undefined : withValue(operation, rest);
  });
};

function without(object: Record<string, unknown>, names: string[]): Record<string, unknown> {
  const drop = new Set(names);
  return Object.fromEntries(Object.entries(object).filter(([key]) => !drop.has(key.toLowerCase())));
}
