/**
 * The Users resource: reads through the store (src/store/observed/scim-users.ts), writes through
 * ingest (the observed state is committed before the response; reconciliation follows on the queue).
 */
import { randomUUID } from 'node:crypto';
import type { Ingest } from '../../ingest/ingest.js';
import type { UserRecord } from '../../ingest/records.js';
import type { Db } from '../../store/db.js';
import { findScimUser, listScimUsers, type ScimUserRow } from '../../store/observed/scim-users.js';
import { droppedEveryOperation, normalizeRequest } from '../compat/normalize-request.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { storedListQuery, type ListQuery } from '../list-query.js';
import { checkIfMatch } from '../preconditions.js';
import type { ScimContext } from '../request-context.js';
import { ScimUserSchema, withScimmy } from '../schema/scimmy-schemas.js';
import { ScimError } from '../scim-error.js';
import { patchUser } from './user-patch.js';
import { toUserRecord, toUserResource } from './user-resource.js';

export class UserService {
  readonly #db: Db;
  readonly #ingest: Ingest;

  constructor(options: { db: Db; ingest: Ingest }) {
    this.#db = options.db;
    this.#ingest = options.ingest;
  }

  async get(ctx: ScimContext, id: string): Promise<ScimUserRow> {
    const row = await findScimUser(this.#db, ctx.sourceId, id);
    if (!row) throw notFound(id);
    return row;
  }

  async list(ctx: ScimContext, query: ListQuery): Promise<{ rows: ScimUserRow[]; total: number }> {
    return listScimUsers(this.#db, ctx.sourceId, storedListQuery(query, 'Users'));
  }

  async create(ctx: ScimContext, body: unknown): Promise<ScimUserRow> {
    const resource = validate(normalizeRequest({ method: 'POST', resourceType: 'Users', body }));
    return this.#write(ctx, toUserRecord(randomUUID(), resource), 'POST');
  }

  async replace(ctx: ScimContext, id: string, body: unknown, ifMatch?: string): Promise<ScimUserRow> {
    const current = await this.get(ctx, id);
    checkIfMatch(ifMatch, current.version);
    const resource = validate(normalizeRequest({ method: 'PUT', resourceType: 'Users', body }));
    return this.#write(ctx, toUserRecord(id, resource), 'PUT');
  }

  async patch(ctx: ScimContext, id: string, body: unknown, ifMatch?: string): Promise<ScimUserRow> {
    const current = await this.get(ctx, id);
    checkIfMatch(ifMatch, current.version);
    const normalized = normalizeRequest({ method: 'PATCH', resourceType: 'Users', body });
    if (droppedEveryOperation(body, normalized)) return current;
    const patched = await patchUser(toUserResource(current, ctx.base), normalized);
    if (!patched) return current;
    return this.#write(ctx, toUserRecord(id, patched), 'PATCH');
  }

  async delete(ctx: ScimContext, id: string, ifMatch?: string): Promise<void> {
    const current = await this.get(ctx, id);
    checkIfMatch(ifMatch, current.version);
    const deleted = await this.#ingest.deleteUsers(ctx.sourceId, [id], { cause: `${ctx.sourceId}: SCIM DELETE` });
    if (deleted === 0) throw notFound(id);
  }

  async #write(ctx: ScimContext, record: UserRecord, method: string): Promise<ScimUserRow> {
    // A userName or externalId already taken (IngestConflictError) is answered 409 by scimErrorOf.
    const [written] = await this.#ingest.writeUsers(ctx.sourceId, [record], { cause: `${ctx.sourceId}: SCIM ${method}` });
    if (!written) throw new Error('ingest wrote no row');
    return {
      id: record.id,
      external_id: record.externalId,
      user_name: record.userName,
      emails: record.emails,
      given_name: record.givenName,
      family_name: record.familyName,
      display_name: record.displayName,
      company: record.company,
      active: record.active,
      attributes: record.attributes,
      version: written.version,
      created_at: written.createdAt,
      updated_at: written.updatedAt,
    };
  }
}

function notFound(id: string): ScimError {
  return new ScimError(404, undefined, `User ${id.slice(0, 100)} not found`);
}

/** A POST or PUT body through scimmy's User schema: required attributes, types, canonical names. */
function validate(body: unknown): JsonObject {
  if (!isJsonObject(body)) throw new ScimError(400, 'invalidSyntax', 'The request body must be a JSON object');
  const resource = withScimmy(() => JSON.parse(JSON.stringify(new ScimUserSchema(body, 'in'))) as JsonObject);
  if (typeof resource['userName'] !== 'string' || resource['userName'].trim() === '') {
    throw new ScimError(400, 'invalidValue', 'userName is required and must not be empty');
  }
  return resource;
}
