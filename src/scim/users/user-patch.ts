/**
 * PATCH of a User (RFC 7644 §3.5.2), applied by scimmy's PatchOp to the stored resource — a user is
 * one row, so read-modify-write is what PATCH means here — after one repair scimmy lacks.
 */
import SCIMMY from 'scimmy';
import { parsePatchPath } from '../filter/parse-patch-path.js';
import { ScimError } from '../scim-error.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { ScimUserSchema, withScimmy, withScimmyAsync } from '../schema/scimmy-schemas.js';
import { PATCH_OP } from '../schema-urns.js';

const TYPED_MULTI_VALUED = new Set(['emails', 'phonenumbers', 'ims', 'photos', 'addresses', 'entitlements', 'roles']);

/**
 * The patched resource (scimmy-coerced, `in` direction: no `id` or `meta`), or undefined when the
 * operations change nothing.
 * @throws ScimError 400 for a malformed message, a bad path or a value the schema refuses.
 */
export async function patchUser(current: JsonObject, body: unknown): Promise<JsonObject | undefined> {
  if (!isJsonObject(body) || !Array.isArray(body['Operations'])) {
    throw new ScimError(400, 'invalidSyntax', `A PATCH body is a ${PATCH_OP} message with an "Operations" array`);
  }
  const operations = addMissingTypedValues(current, body['Operations']);
  const message = { ...body, Operations: operations };
  const patched = await withScimmyAsync(async () => {
    const op = new SCIMMY.Messages.PatchOp(message as ConstructorParameters<typeof SCIMMY.Messages.PatchOp>[0]);
    return op.apply(new ScimUserSchema(current, 'both'));
  }, (index) => pathOf(operations[index - 1]));
  if (patched === undefined) return undefined;
  // Validated again as a request: a PATCH cannot remove what a User requires (userName).
  return withScimmy(() => JSON.parse(JSON.stringify(new ScimUserSchema(JSON.parse(JSON.stringify(patched)), 'in'))) as JsonObject);
}

function pathOf(operation: unknown): string | undefined {
  const path = isJsonObject(operation) ? operation['path'] : undefined;
  return typeof path === 'string' ? path : undefined;
}

/**
 * Entra ID sets a user's work e-mail with `{"op":"replace","path":"emails[type eq \"work\"].value","value":"…"}`
 * whether or not the user has one; scimmy answers `noTarget` when none matches. RFC 7644 §3.5.2.3
 * leaves a replace whose filter matches nothing to the server; the client's intent is plain, so
 * such an operation (and an `add` like it) becomes an add of `{"type":"work","value":"…"}`. Later
 * operations in the same request then find the new value (`…].primary`).
 *
 * Entra's SingleAppRoleAssignment mapping writes the app role the same way, keyed on the primary
 * value: `roles[primary eq "True"].value`, `.display`, `.type` — "True" as text, which never equals
 * the boolean `primary` scimmy stores. The filter is read as the boolean it means, and a user
 * without a primary value gets one `{"primary":true,…}`.
 */
export function addMissingTypedValues(current: JsonObject, operations: unknown[]): unknown[] {
  const present = new Map<string, Set<string>>();
  const keysOf = (attribute: string, key: 'type' | 'primary'): Set<string> => {
    let set = present.get(`${attribute}/${key}`);
    if (!set) {
      const found = Object.keys(current).find((k) => k.toLowerCase() === attribute);
      const values = found === undefined ? [] : current[found];
      set = new Set(
        (Array.isArray(values) ? values : [])
          .filter(isJsonObject)
          .map((v) => (key === 'type' ? (typeof v['type'] === 'string' ? v['type'].toLowerCase() : '') : String(v['primary'] === true))),
      );
      present.set(`${attribute}/${key}`, set);
    }
    return set;
  };
  return operations.map((operation) => {
    if (!isJsonObject(operation)) return operation;
    const { op, path, value } = operation;
    const verb = typeof op === 'string' ? op.toLowerCase() : op;
    if ((verb !== 'replace' && verb !== 'add') || typeof path !== 'string' || value === undefined) return operation;
    let parsed;
    try {
      parsed = parsePatchPath(path);
    } catch {
      return operation;
    }
    const attribute = parsed.path.attribute.toLowerCase();
    const filter = parsed.filter;
    const sub = parsed.subAttribute;
    if (parsed.path.schema !== undefined || !TYPED_MULTI_VALUED.has(attribute) || sub === undefined) return operation;
    if (filter?.kind !== 'compare' || filter.op !== 'eq') return operation;
    const key = filter.path.attribute.toLowerCase();
    if (key === 'primary') {
      if (filter.value !== true && !(typeof filter.value === 'string' && filter.value.trim().toLowerCase() === 'true')) return operation;
      const primaries = keysOf(attribute, 'primary');
      if (primaries.has('true')) return { ...operation, path: `${parsed.path.attribute}[primary eq true].${sub}` };
      primaries.add('true');
      return { op: 'add', path: parsed.path.attribute, value: [{ primary: true, [sub]: value }] };
    }
    if (key !== 'type' || typeof filter.value !== 'string') return operation;
    const types = keysOf(attribute, 'type');
    if (types.has(filter.value.toLowerCase())) return operation;
    types.add(filter.value.toLowerCase());
    return { op: 'add', path: parsed.path.attribute, value: [{ type: filter.value, [sub]: value }] };
  });
}
