/**
 * The Groups resource: reads through the store (src/store/observed/scim-groups.ts; members only
 * when the response includes them), writes through ingest. Member changes go through
 * `Ingest.changeGroupMembers`, which adds and removes rows without reading the member list. A
 * member must be a live user of the same source; ids that are not (another source's user, a nested
 * group, a made-up id) are ignored.
 */
import { randomUUID } from 'node:crypto';
import type { Ingest } from '../../ingest/ingest.js';
import type { Db } from '../../store/db.js';
import {
  findScimGroup,
  groupMemberIds,
  listScimGroups,
  liveUserIds,
  scimGroupMembers,
  type ScimGroupRow,
  type ScimMemberRow,
} from '../../store/observed/scim-groups.js';
import { droppedEveryOperation, normalizeRequest } from '../compat/normalize-request.js';
import { isJsonObject, stringOrNull, type JsonObject } from '../json.js';
import { storedListQuery, type ListQuery } from '../list-query.js';
import { checkIfMatch } from '../preconditions.js';
import type { ScimContext } from '../request-context.js';
import { ScimGroupSchema, withScimmy } from '../schema/scimmy-schemas.js';
import { ScimError } from '../scim-error.js';
import { planGroupPatch, type MemberValues } from './group-patch.js';

export class GroupService {
  readonly #db: Db;
  readonly #ingest: Ingest;

  constructor(options: { db: Db; ingest: Ingest }) {
    this.#db = options.db;
    this.#ingest = options.ingest;
  }

  async get(ctx: ScimContext, id: string): Promise<ScimGroupRow> {
    const row = await findScimGroup(this.#db, ctx.sourceId, id);
    if (!row) throw notFound(id);
    return row;
  }

  async list(ctx: ScimContext, query: ListQuery): Promise<{ rows: ScimGroupRow[]; total: number }> {
    return listScimGroups(this.#db, ctx.sourceId, storedListQuery(query, 'Groups'));
  }

  members(ctx: ScimContext, groupIds: readonly string[]): Promise<Map<string, ScimMemberRow[]>> {
    return scimGroupMembers(this.#db, ctx.sourceId, groupIds);
  }

  async create(ctx: ScimContext, body: unknown): Promise<ScimGroupRow> {
    const resource = validate(normalizeRequest({ method: 'POST', resourceType: 'Groups', body }));
    return this.#replaceWhole(ctx, randomUUID(), resource, undefined, 'POST');
  }

  async replace(ctx: ScimContext, id: string, body: unknown, ifMatch?: string): Promise<ScimGroupRow> {
    const current = await this.get(ctx, id);
    checkIfMatch(ifMatch, current.version);
    const resource = validate(normalizeRequest({ method: 'PUT', resourceType: 'Groups', body }));
    return this.#replaceWhole(ctx, id, resource, current, 'PUT');
  }

  /** Applies a PATCH; returns the group's version afterwards. */
  async patch(ctx: ScimContext, id: string, body: unknown, ifMatch?: string): Promise<number> {
    const current = await this.get(ctx, id);
    checkIfMatch(ifMatch, current.version);
    const normalized = normalizeRequest({ method: 'PATCH', resourceType: 'Groups', body });
    if (droppedEveryOperation(body, normalized)) return current.version;
    const plan = planGroupPatch(normalized);
    const cause = `${ctx.sourceId}: SCIM PATCH`;
    let version = current.version;

    const named = [...plan.add.keys(), ...(plan.members?.keys() ?? [])];
    const live = named.length > 0 ? await liveUserIds(this.#db, ctx.sourceId, named) : new Set<string>();
    const renamed = plan.displayName !== undefined && plan.displayName !== current.display_name;
    const externalIdChanged = plan.externalId !== undefined && plan.externalId !== current.external_id;
    if (renamed || externalIdChanged || plan.members) {
      const [written] = await this.#writeGroup(ctx.sourceId, {
        id,
        externalId: plan.externalId !== undefined ? plan.externalId : current.external_id,
        displayName: plan.displayName ?? current.display_name,
        aliases: current.aliases,
        attributes: current.attributes ?? {},
        memberIds: plan.members ? [...plan.members.keys()].filter((m) => live.has(m)) : undefined,
      }, cause);
      if (written) version = written.version;
    }
    const add = [...plan.add.keys()].filter((m) => live.has(m));
    const remove = [...plan.remove];
    if (add.length > 0 || remove.length > 0) {
      const changed = await this.#ingest.changeGroupMembers(ctx.sourceId, id, { add, remove: remove.filter((r) => /^[0-9a-f-]{36}$/.test(r)) }, { cause });
      if (changed.version !== undefined) version = changed.version;
    }
    await this.#saveDisplays(ctx.sourceId, id, plan.members ?? plan.add, live);
    return version;
  }

  async delete(ctx: ScimContext, id: string, ifMatch?: string): Promise<void> {
    const current = await this.get(ctx, id);
    checkIfMatch(ifMatch, current.version);
    const deleted = await this.#ingest.deleteGroups(ctx.sourceId, [id], { cause: `${ctx.sourceId}: SCIM DELETE` });
    if (deleted === 0) throw notFound(id);
  }

  /** Every member id of a group, for callers that must read them all. */
  memberIds(ctx: ScimContext, id: string): Promise<string[]> {
    return groupMemberIds(this.#db, ctx.sourceId, id);
  }

  async #replaceWhole(ctx: ScimContext, id: string, resource: JsonObject, current: ScimGroupRow | undefined, method: string): Promise<ScimGroupRow> {
    const members = memberValuesOf(resource['members']);
    const live = await liveUserIds(this.#db, ctx.sourceId, [...members.keys()]);
    const [written] = await this.#writeGroup(ctx.sourceId, {
      id,
      externalId: stringOrNull(resource['externalId']),
      displayName: String(resource['displayName']),
      aliases: current?.aliases ?? [],
      attributes: current?.attributes ?? {},
      memberIds: [...members.keys()].filter((m) => live.has(m)),
    }, `${ctx.sourceId}: SCIM ${method}`);
    if (!written) throw new Error('ingest wrote no group');
    await this.#saveDisplays(ctx.sourceId, id, members, live);
    return {
      id,
      external_id: stringOrNull(resource['externalId']),
      display_name: String(resource['displayName']),
      aliases: current?.aliases ?? [],
      attributes: current?.attributes ?? {},
      version: written.version,
      created_at: written.createdAt,
      updated_at: written.updatedAt,
    };
  }

  async #writeGroup(sourceId: string, group: Parameters<Ingest['writeGroups']>[1][number], cause: string) {
    // An externalId already taken (IngestConflictError) is answered 409 by scimErrorOf.
    return this.#ingest.writeGroups(sourceId, [group], { cause });
  }

  /** Keeps the display text the client gave its live members (`members[].display`). */
  async #saveDisplays(sourceId: string, groupId: string, members: MemberValues, live: Set<string>): Promise<void> {
    const shown = [...members].filter((entry): entry is [string, string] => entry[1] !== null && live.has(entry[0]));
    await this.#ingest.saveMemberDisplays(sourceId, groupId, shown);
  }
}

function notFound(id: string): ScimError {
  return new ScimError(404, undefined, `Group ${id.slice(0, 100)} not found`);
}

function validate(body: unknown): JsonObject {
  if (!isJsonObject(body)) throw new ScimError(400, 'invalidSyntax', 'The request body must be a JSON object');
  const resource = withScimmy(() => JSON.parse(JSON.stringify(new ScimGroupSchema(body, 'in'))) as JsonObject);
  if (typeof resource['displayName'] !== 'string' || resource['displayName'].trim() === '') {
    throw new ScimError(400, 'invalidValue', 'displayName is required and must not be empty');
  }
  return resource;
}

function memberValuesOf(value: unknown): MemberValues {
  const out: MemberValues = new Map();
  if (!Array.isArray(value)) return out;
  for (const member of value) {
    if (!isJsonObject(member) || typeof member['value'] !== 'string') continue;
    out.set(member['value'].toLowerCase(), typeof member['display'] === 'string' ? member['display'] : null);
  }
  return out;
}
