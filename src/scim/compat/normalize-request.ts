import { coerceBooleanStrings } from './coerce-boolean-strings.js';
import { dropExtensionSchemas } from './drop-extension-schemas.js';
import { dropNullAttributes } from './drop-null-attributes.js';
import { dropReadOnlyPatchValues } from './drop-read-only-patch-values.js';
import { expandMembersRemove } from './expand-members-remove.js';
import { expandPathlessReplace } from './expand-pathless-replace.js';
import { lowercasePatchOps } from './lowercase-patch-ops.js';
import { qualifyEnterpriseAttributes } from './qualify-enterprise-attributes.js';
import { isJsonObject } from '../json.js';
import { patchOperations } from './json.js';
import type { Quirk, QuirkContext, ScimResourceType } from './quirk.js';
import { PATCH_OP } from '../schema-urns.js';
import { stripPasswordAndGroups } from './strip-password-and-groups.js';
import { unwrapRoleJson } from './unwrap-role-json.js';
import { wrapManagerValue } from './wrap-manager-value.js';
import { wrapMemberStrings } from './wrap-member-strings.js';

export interface CompatRequest {
  /** The HTTP method; only POST, PUT and PATCH bodies are normalised. */
  method: string;
  resourceType: ScimResourceType;
  /** The parsed JSON body. */
  body: unknown;
  /**
   * Request headers. Not consulted today: every quirk is safe for every client, so nothing
   * depends on guessing the IdP from its User-Agent.
   */
  headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** Order matters: ops are lower-cased first, pathless values are split before paths are inspected. */
const PATCH_QUIRKS: readonly Quirk[] = [
  lowercasePatchOps,
  dropReadOnlyPatchValues,
  dropExtensionSchemas,
  stripPasswordAndGroups,
  expandPathlessReplace,
  qualifyEnterpriseAttributes,
  wrapManagerValue,
  coerceBooleanStrings,
  unwrapRoleJson,
  expandMembersRemove,
  wrapMemberStrings,
  dropNullAttributes,
];

const RESOURCE_QUIRKS: readonly Quirk[] = [
  dropNullAttributes,
  stripPasswordAndGroups,
  qualifyEnterpriseAttributes,
  wrapManagerValue,
  coerceBooleanStrings,
  unwrapRoleJson,
];

/**
 * The body scimmy should see for an IdP's request: each known Entra ID, Okta and OneLogin
 * deviation from RFC 7643/7644 rewritten into its standard form (see the quirk files). Pure: the
 * input is never mutated, and a body that is not what a quirk expects passes through unchanged,
 * for scimmy to accept or reject.
 */
export function normalizeRequest(request: CompatRequest): unknown {
  const method = request.method.toUpperCase();
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') return request.body;
  const context: QuirkContext = { method, resourceType: request.resourceType };
  const quirks = method === 'PATCH' ? PATCH_QUIRKS : RESOURCE_QUIRKS;
  return quirks.reduce((body, quirk) => quirk(body, context), request.body);
}

/**
 * Whether normalising a PatchOp message dropped every one of its operations: each set only what
 * idsync never stores (Okta's password sync, `{"op":"replace","value":{"password":"…"}}`; a
 * pathless value holding only read-only `id`/`meta`). Such a PATCH is a successful no-op, not the
 * empty PatchOp that RFC 7644 §3.5.2 refuses — the client sent a valid message.
 */
export function droppedEveryOperation(body: unknown, normalized: unknown): boolean {
  const schemas = isJsonObject(body) ? body['schemas'] : undefined;
  if (!Array.isArray(schemas) || !schemas.includes(PATCH_OP)) return false;
  const before = patchOperations(body);
  const after = patchOperations(normalized);
  return before !== undefined && before.operations.length > 0 && after !== undefined && after.operations.length === 0;
}
