import { isJsonObject } from '../json.js';
import { findKey, mapOperations, readOperation, targetOf } from './json.js';
import type { Quirk } from './quirk.js';

/**
 * Entra ID without `aadOptscim062020` removes group members with a value array:
 *
 *   {"op":"Remove","path":"members","value":[{"value":"u1091"}]}
 *
 * RFC 7644 §3.5.2.2 says a remove without a value filter removes *all* members. This becomes one
 * `{"op":"remove","path":"members[value eq \"u1091\"]"}` per member — the form the flag turns on,
 * and one the server can apply without reading the whole member list. The id is quoted with
 * JSON string escapes, so it cannot break out of the filter.
 */
export const expandMembersRemove: Quirk = (body, { method, resourceType }) => {
  if (method !== 'PATCH' || resourceType !== 'Groups') return body;
  return mapOperations(body, (operation) => {
    const { op, path, value } = readOperation(operation);
    if (op !== 'remove' || path === undefined || !Array.isArray(value) || value.length === 0) return operation;
    const target = targetOf(path);
    if (target?.schema !== 'core' || target.attribute !== 'members' || target.filtered || target.subAttribute !== undefined) return operation;
    const ids = value.map((member) => {
      if (!isJsonObject(member)) return undefined;
      const key = findKey(member, 'value');
      const id = key === undefined ? undefined : member[key];
      return typeof id === 'string' ? id : undefined;
    });
    if (ids.some((id) => id === undefined)) return operation;
    return ids.map((id) => ({ op: 'remove', path: `members[value eq ${JSON.stringify(id)}]` }));
  });
};
