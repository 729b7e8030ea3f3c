import { mapOperations, readOperation, targetOf, withValue } from './json.js';
import type { Quirk } from './quirk.js';

/**
 * Microsoft's SCIM reference test collection adds members as bare ids
 * (`{"op":"add","path":"members","value":"string id 1"}`); a member is a complex value
 * (RFC 7643 §4.2), so a string, or an array of strings, becomes `[{"value": …}]`.
 */
export const wrapMemberStrings: Quirk = (body, { method, resourceType }) => {
  if (method !== 'PATCH' || resourceType !== 'Groups') return body;
  return mapOperations(body, (operation) => {
    const { op, path, value } = readOperation(operation);
    if ((op !== 'add' && op !== 'replace') || path === undefined) return operation;
    const target = targetOf(path);
    if (target?.schema !== 'core' || target.attribute !== 'members' || target.filtered || target.subAttribute !== undefined) return operation;
    if (typeof value === 'string') return withValue(operation, [{ value }]);
    if (Array.isArray(value) && value.some((v) => typeof v === 'string')) {
      return withValue(operation, value.map((v) => (typeof v === 'string' ? { value: v } : v)));
    }
    return operation;
  });
};
