/**
 * Bulk (RFC 7644 §3.7): operations run one after another through the same services as single
 * requests (so each body is normalised for IdP quirks and validated the same way). `bulkId:<id>`
 * references — in a path or anywhere in `data` — are replaced by the id the referenced POST created;
 * an operation whose reference is not resolved yet waits until it is, so order does not matter, and
 * one referring to an operation that failed (or to itself, circularly) fails with 409 `invalidValue`.
 * Processing stops once `failOnErrors` operations have failed.
 */
import type { Logger } from 'pino';
import type { GroupService } from './groups/group-service.js';
import { isJsonObject, type JsonObject } from './json.js';
import type { ScimContext } from './request-context.js';
import { logHiddenCause } from './http/log-hidden-cause.js';
import { scimErrorOf } from './http/scim-error-of.js';
import { ScimError, toScimErrorBody } from './scim-error.js';
import { BULK_REQUEST, BULK_RESPONSE } from './schema-urns.js';
import { etagOf } from './users/user-resource.js';
import type { UserService } from './users/user-service.js';

const BULK_REF = /^bulkId:(.+)$/;

export interface BulkOptions {
  users: UserService;
  groups: GroupService;
  maxOperations: number;
  logger: Logger;
}

interface Operation {
  index: number;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  bulkId: string | undefined;
  version: string | undefined;
  data: unknown;
  refs: Set<string>;
}

export async function runBulk(ctx: ScimContext, body: unknown, options: BulkOptions): Promise<JsonObject> {
  if (!isJsonObject(body)) throw new ScimError(400, 'invalidSyntax', 'The request body must be a JSON object');
  const schemas = body['schemas'];
  if (!Array.isArray(schemas) || !schemas.includes(BULK_REQUEST)) throw new ScimError(400, 'invalidSyntax', `Bulk requests must specify the schema "${BULK_REQUEST}"`);
  const raw = body['Operations'];
  if (!Array.isArray(raw) || raw.length === 0) throw new ScimError(400, 'invalidValue', 'A Bulk request needs at least one operation in "Operations"');
  if (raw.length > options.maxOperations) {
    throw new ScimError(413, undefined, `A Bulk request may carry at most ${options.maxOperations} operations; this one has ${raw.length}`);
  }
  const failOnErrors = body['failOnErrors'];
  if (failOnErrors !== undefined && (typeof failOnErrors !== 'number' || !Number.isInteger(failOnErrors) || failOnErrors < 1)) {
    throw new ScimError(400, 'invalidValue', 'failOnErrors must be a positive integer');
  }
  const operations = raw.map((op, index) => parseOperation(op, index));
  const declared = new Map<string, Operation>();
  for (const op of operations) {
    if (op.bulkId === undefined) continue;
    if (declared.has(op.bulkId)) throw new ScimError(400, 'invalidValue', `bulkId "${op.bulkId}" is used by more than one operation`);
    declared.set(op.bulkId, op);
  }

  const results: JsonObject[] = [];
  const created = new Map<string, string>(); // bulkId → id
  const failed = new Set<string>();
  let errors = 0;
  let pending = operations;
  while (pending.length > 0) {
    const waiting: Operation[] = [];
    let progressed = false;
    for (const op of pending) {
      if (failOnErrors !== undefined && errors >= failOnErrors) break;
      const unresolved = [...op.refs].filter((ref) => !created.has(ref));
      const doomed = unresolved.find((ref) => failed.has(ref) || !declared.has(ref) || ref === op.bulkId);
      let result: JsonObject;
      if (doomed !== undefined) {
        result = failure(op, new ScimError(409, 'invalidValue', `bulkId "${doomed}" does not refer to a resource created in this request`));
      } else if (unresolved.length > 0) {
        waiting.push(op);
        continue;
      } else {
        result = await execute(ctx, op, created, options);
      }
      progressed = true;
      results[op.index] = result;
      if (Number(result['status']) >= 400) {
        errors++;
        if (op.bulkId !== undefined) failed.add(op.bulkId);
      }
    }
    if (failOnErrors !== undefined && errors >= failOnErrors) break;
    if (!progressed) {
      // Only circular references remain.
      for (const op of waiting) {
        results[op.index] = failure(op, new ScimError(409, 'invalidValue', 'The bulkId references of this operation are circular'));
        errors++;
      }
      break;
    }
    pending = waiting;
  }
  return { schemas: [BULK_RESPONSE], Operations: results.filter((r) => r !== undefined) };
}

function parseOperation(value: unknown, index: number): Operation {
  const where = `Operation ${index + 1}`;
  if (!isJsonObject(value)) throw new ScimError(400, 'invalidSyntax', `${where} must be an object`);
  const method = typeof value['method'] === 'string' ? value['method'].toUpperCase() : '';
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH' && method !== 'DELETE') {
    throw new ScimError(400, 'invalidValue', `${where}: "method" must be POST, PUT, PATCH or DELETE`);
  }
  const path = value['path'];
  if (typeof path !== 'string' || !path.startsWith('/')) throw new ScimError(400, 'invalidValue', `${where}: "path" must be a resource path such as "/Users"`);
  const bulkId = value['bulkId'];
  if (bulkId !== undefined && (typeof bulkId !== 'string' || bulkId === '')) throw new ScimError(400, 'invalidValue', `${where}: "bulkId" must be a non-empty string`);
  if (method === 'POST' && bulkId === undefined) throw new ScimError(400, 'invalidValue', `${where}: a POST needs a "bulkId"`);
  const version = value['version'];
  const refs = new Set<string>();
  collectRefs(path.split('/').pop() ?? '', refs);
  collectRefs(value['data'], refs);
  return {
    index,
    method,
    path,
    bulkId,
    version: typeof version === 'string' ? version : undefined,
    data: value['data'],
    refs,
  };
}

function collectRefs(value: unknown, refs: Set<string>): void {
  if (typeof value === 'string') {
    const m = BULK_REF.exec(value);
    if (m?.[1] !== undefined) refs.add(m[1]);
  } else if (Array.isArray(value)) for (const v of value) collectRefs(v, refs);
  else if (isJsonObject(value)) for (const v of Object.values(value)) collectRefs(v, refs);
}

function resolveRefs(value: unknown, created: Map<string, string>): unknown {
  if (typeof value === 'string') {
    const m = BULK_REF.exec(value);
    return m?.[1] !== undefined ? (created.get(m[1]) ?? value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, created));
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, created)]));
  return value;
}

async function execute(ctx: ScimContext, op: Operation, created: Map<string, string>, options: BulkOptions): Promise<JsonObject> {
  const segments = op.path.split('/').filter((s) => s !== '');
  const type = segments[0]?.toLowerCase();
  const id = segments[1] === undefined ? undefined : String(resolveRefs(segments[1], created));
  const data = resolveRefs(op.data, created);
  try {
    if ((type !== 'users' && type !== 'groups') || segments.length > 2) throw new ScimError(404, undefined, `No resource at ${op.path.slice(0, 200)}`);
    const resourceType = type === 'users' ? 'Users' : 'Groups';
    if (op.method === 'POST') {
      if (id !== undefined) throw new ScimError(400, 'invalidValue', 'A POST goes to the resource type, e.g. "/Users"');
      const row = type === 'users' ? await options.users.create(ctx, data) : await options.groups.create(ctx, data);
      if (op.bulkId !== undefined) created.set(op.bulkId, row.id);
      return { method: op.method, bulkId: op.bulkId, location: `${ctx.base}/${resourceType}/${row.id}`, version: etagOf(row.version), status: '201' };
    }
    if (id === undefined) throw new ScimError(400, 'invalidValue', `A ${op.method} goes to one resource, e.g. "/${resourceType}/<id>"`);
    const location = `${ctx.base}/${resourceType}/${id}`;
    if (op.method === 'DELETE') {
      await (type === 'users' ? options.users.delete(ctx, id, op.version) : options.groups.delete(ctx, id, op.version));
      return { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}), location, status: '204' };
    }
    let version: number;
    if (op.method === 'PUT') {
      version = (type === 'users' ? await options.users.replace(ctx, id, data, op.version) : await options.groups.replace(ctx, id, data, op.version)).version;
    } else {
      version = type === 'users' ? (await options.users.patch(ctx, id, data, op.version)).version : await options.groups.patch(ctx, id, data, op.version);
    }
    return { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}), location, version: etagOf(version), status: '200' };
  } catch (error) {
    const scimError = scimErrorOf(error);
    logHiddenCause(options.logger, scimError, { method: op.method }, 'SCIM bulk operation failed');
    return failure(op, scimError);
  }
}

function failure(op: Operation, error: ScimError): JsonObject {
  return { method: op.method, ...(op.bulkId ? { bulkId: op.bulkId } : {}), status: String(error.status), response: toScimErrorBody(error) };
}
