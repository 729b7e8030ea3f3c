/**
 * PATCH of a Group (RFC 7644 §3.5.2) as a plan of writes, not as read-modify-write: scimmy's PatchOp
 * needs the whole member list in memory, which a 50,000-member group makes slow, and ingest can add
 * and remove members directly. A Group has three writable attributes — `displayName`,
 * `externalId`, `members` — so every operation the RFC allows on them is covered here:
 * add / replace / remove of each, pathless add / replace, and `members[value eq "…"]` removal
 * (value filters joined with `or` select several members).
 */
import type { FilterNode } from '../filter/ast.js';
import { parsePatchPath } from '../filter/parse-patch-path.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { ScimError } from '../scim-error.js';
import { GROUP_SCHEMA, PATCH_OP } from '../schema-urns.js';

/** A member as a request names it: its id and, when given, the display text. */
export type MemberValues = Map<string, string | null>;

export interface GroupPatchPlan {
  displayName?: string;
  /** `null` removes it. */
  externalId?: string | null;
  /** When set, the member list becomes exactly this; `add` and `remove` are then empty. */
  members?: MemberValues;
  add: MemberValues;
  remove: Set<string>;
}

/** @throws ScimError 400 for a malformed message, a path a Group does not have, or a bad value. */
export function planGroupPatch(body: unknown): GroupPatchPlan {
  if (!isJsonObject(body)) throw new ScimError(400, 'invalidSyntax', 'The request body must be a JSON object');
  const schemas = body['schemas'];
  if (!Array.isArray(schemas) || !schemas.includes(PATCH_OP)) {
    throw new ScimError(400, 'invalidSyntax', `PatchOp request bodies must specify the schema "${PATCH_OP}"`);
  }
  const operations = body['Operations'];
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new ScimError(400, 'invalidValue', 'A PATCH body must contain at least one operation in "Operations"');
  }
  const plan: GroupPatchPlan = { add: new Map(), remove: new Set() };
  operations.forEach((operation, i) => applyOperation(plan, operation, i + 1));
  return plan;
}

function applyOperation(plan: GroupPatchPlan, operation: unknown, index: number): void {
  if (!isJsonObject(operation)) throw new ScimError(400, 'invalidValue', `Operation ${index} must be an object`);
  const { op, path, value } = operation;
  if (op !== 'add' && op !== 'remove' && op !== 'replace') {
    throw new ScimError(400, 'invalidSyntax', `Operation ${index}: "op" must be add, remove or replace`);
  }
  if (path !== undefined && typeof path !== 'string') throw new ScimError(400, 'invalidPath', `Operation ${index}: "path" must be a string`);
  if (op !== 'remove' && value === undefined) throw new ScimError(400, 'invalidValue', `Operation ${index}: "${op}" needs a "value"`);
  if (path === undefined) {
    if (op === 'remove') throw new ScimError(400, 'noTarget', `Operation ${index}: "remove" needs a "path"`);
    if (!isJsonObject(value)) throw new ScimError(400, 'invalidValue', `Operation ${index}: without a path, "value" must be an object`);
    for (const [key, v] of Object.entries(value)) applyToAttribute(plan, op, key.toLowerCase(), undefined, v, index);
    return;
  }
  const parsed = parsePatchPath(path);
  if (parsed.path.schema !== undefined && parsed.path.schema.toLowerCase() !== GROUP_SCHEMA.toLowerCase()) {
    throw new ScimError(400, 'invalidPath', `Operation ${index}: Groups have no attribute "${path.slice(0, 200)}"`);
  }
  if (parsed.path.subAttribute !== undefined || parsed.subAttribute !== undefined) {
    throw new ScimError(400, 'invalidPath', `Operation ${index}: "${path.slice(0, 200)}" names a sub-attribute, which cannot be changed on its own`);
  }
  applyToAttribute(plan, op, parsed.path.attribute.toLowerCase(), parsed.filter, value, index);
}

function applyToAttribute(plan: GroupPatchPlan, op: 'add' | 'remove' | 'replace', attribute: string, filter: FilterNode | undefined, value: unknown, index: number): void {
  if (filter !== undefined && attribute !== 'members') {
    throw new ScimError(400, 'invalidPath', `Operation ${index}: only "members" is multi-valued and takes a value filter`);
  }
  switch (attribute) {
    case 'displayname':
      if (op === 'remove') throw new ScimError(400, 'mutability', `Operation ${index}: displayName is required and cannot be removed`);
      if (typeof value !== 'string' || value.trim() === '') throw new ScimError(400, 'invalidValue', `Operation ${index}: displayName must be a non-empty string`);
      plan.displayName = value;
      return;
    case 'externalid':
      if (op === 'remove') plan.externalId = null;
      else if (typeof value === 'string' || value === null) plan.externalId = value === '' ? null : value;
      else throw new ScimError(400, 'invalidValue', `Operation ${index}: externalId must be a string`);
      return;
    case 'members':
      return applyToMembers(plan, op, filter, value, index);
    default:
      throw new ScimError(400, 'invalidPath', `Operation ${index}: Groups have no attribute "${attribute}"; they have displayName, externalId and members`);
  }
}

function applyToMembers(plan: GroupPatchPlan, op: 'add' | 'remove' | 'replace', filter: FilterNode | undefined, value: unknown, index: number): void {
  if (filter !== undefined) {
    if (op !== 'remove') throw new ScimError(400, 'invalidPath', `Operation ${index}: members can be selected by a value filter only to remove them`);
    return removeMembers(plan, filterIds(filter, index));
  }
  if (op === 'remove') {
    // With a value (a list of members), those members; without, all of them (RFC 7644 §3.5.2.2).
    if (value === undefined || value === null) {
      plan.members = new Map();
      plan.add.clear();
      plan.remove.clear();
      return;
    }
    return removeMembers(plan, [...memberValues(value, index).keys()]);
  }
  const values = memberValues(value, index);
  if (op === 'replace') {
    plan.members = values;
    plan.add.clear();
    plan.remove.clear();
    return;
  }
  for (const [id, display] of values) {
    if (plan.members) plan.members.set(id, display);
    else {
      plan.add.set(id, display);
      plan.remove.delete(id);
    }
  }
}

function removeMembers(plan: GroupPatchPlan, ids: string[]): void {
  for (const id of ids) {
    if (plan.members) plan.members.delete(id);
    else {
      plan.remove.add(id);
      plan.add.delete(id);
    }
  }
}

/** `[{"value":"…","display":"…"}, …]` (or one such object) as id → display. */
function memberValues(value: unknown, index: number): MemberValues {
  const list = Array.isArray(value) ? value : [value];
  const out: MemberValues = new Map();
  for (const item of list) {
    if (!isJsonObject(item)) throw new ScimError(400, 'invalidValue', `Operation ${index}: each member must be an object with a "value"`);
    const id = field(item, 'value');
    if (typeof id !== 'string' || id === '') throw new ScimError(400, 'invalidValue', `Operation ${index}: each member must have a string "value"`);
    // `displayName` is not a member sub-attribute, but Microsoft's reference collection sends it for `display`.
    const display = field(item, 'display') ?? field(item, 'displayName');
    out.set(id.toLowerCase(), typeof display === 'string' ? display : null);
  }
  return out;
}

function field(object: JsonObject, name: string): unknown {
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

/** The ids a `members[…]` filter selects: `value eq "…"` joined with `or`. */
function filterIds(filter: FilterNode, index: number): string[] {
  if (filter.kind === 'or') return [...filterIds(filter.left, index), ...filterIds(filter.right, index)];
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.path.attribute.toLowerCase() === 'value' && filter.path.subAttribute === undefined) {
    return [(typeof filter.value === 'string' ? filter.value : filter.raw).toLowerCase()];
  }
  throw new ScimError(400, 'invalidFilter', `Operation ${index}: members are selected with value eq "<id>" (joined with "or" for several)`);
}
