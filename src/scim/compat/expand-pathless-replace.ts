import { isJsonObject, type JsonObject } from '../json.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../schema-urns.js';
import { isSchemaKey, mapOperations, readOperation } from './json.js';
import type { Quirk, ScimResourceType } from './quirk.js';

/**
 * Entra ID replaces several attributes in one pathless operation whose keys are paths:
 *
 *   {"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom",
 *     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq",
 *     "emails[type eq \"work\"].value":"…"}}
 *
 * scimmy applies a pathless replace as an "add" of each key, which appends to multi-valued
 * attributes (`{"emails":[…]}` would gain an address instead of replacing them). Each key becomes
 * its own `replace` with that key as the path, which replaces. A complex value is split into its
 * sub-attributes (`"name":{"givenName":"x"}` → `name.givenName`) so the sub-attributes it does not
 * mention are kept (RFC 7644 §3.5.2.3); an extension object becomes one path per attribute.
 */
export const expandPathlessReplace: Quirk = (body, { method, resourceType }) => {
  if (method !== 'PATCH') return body;
  return mapOperations(body, (operation) => {
    const { op, path, value } = readOperation(operation);
    if (op !== 'replace' || path !== undefined || !isJsonObject(value)) return operation;
    return expand(value, resourceType).map(([p, v]) => ({ op: 'replace', path: p, value: v }));
  });
};

function expand(value: JsonObject, resourceType: ScimResourceType): Array<[string, unknown]> {
  const core = resourceType === 'Users' ? USER_SCHEMA : GROUP_SCHEMA;
  return Object.entries(value).flatMap(([key, v]): Array<[string, unknown]> => {
    if (isSchemaKey(key, core) && isJsonObject(v)) return expand(v, resourceType);
    if (resourceType === 'Users' && isSchemaKey(key, ENTERPRISE_USER_SCHEMA) && isJsonObject(v)) {
      // manager stays whole: its sub-attributes all follow from its value.
      return Object.entries(v).map(([attribute, w]): [string, unknown] => [`${key}:${attribute}`, w]);
    }
    if (resourceType === 'Users' && key.toLowerCase() === 'name' && isJsonObject(v)) {
      return Object.entries(v).map(([sub, w]): [string, unknown] => [`${key}.${sub}`, w]);
    }
    return [[key, v]];
  });
}
