/**
 * The SCIM 2.0 server as an express router, mounted at `/scim/v2`.
 *
 * Why not scimmy-routers: it keeps its configuration and each resource's base path in scimmy's
 * process-wide singletons (re-set on every request), answers a failed authentication with the
 * handler's own message, and serves every read and PATCH through scimmy's Resource handlers —
 * read-modify-write of whole resources, filtering in memory. The targets here (a filtered GET at
 * database speed, a one-member PATCH on a 50,000-member group) need reads that run one SQL query
 * and member changes that never load the member list. So the routes are ours; scimmy supplies the
 * schemas (validation and coercion of every POST/PUT body, `/Schemas`), the discovery documents
 * (its ServiceProviderConfig and ResourceType schemas) and PATCH semantics for users.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { AuthFailureLimiter } from '../../api/auth-failure-limiter.js';
import { bearerToken } from '../../api/tokens.js';
import type { Ingest } from '../../ingest/ingest.js';
import type { Db } from '../../store/db.js';
import { runBulk } from '../bulk.js';
import { resourceTypes, schemas, serviceProviderConfig, type ServiceLimits } from '../discovery.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../filter/attributes.js';
import { toGroupResource } from '../groups/group-resource.js';
import { GroupService } from '../groups/group-service.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { parseListQuery, parseProjection, type Projection, type QueryParams } from '../list-query.js';
import { matchesEtag } from '../preconditions.js';
import { includesAttribute, isProjected, project } from '../projection.js';
import type { ScimContext } from '../request-context.js';
import { ScimError, toScimErrorBody } from '../scim-error.js';
import { etagOf, toUserResource } from '../users/user-resource.js';
import { UserService } from '../users/user-service.js';
import { jsonBody } from './json-body.js';
import { logHiddenCause } from './log-hidden-cause.js';
import { noteBulkResponse, noteScimError } from './record-requests.js';
import { scimErrorOf } from './scim-error-of.js';
import type { SourceTokens } from './source-tokens.js';

export interface ScimRouterOptions {
  db: Db;
  ingest: Ingest;
  tokens: SourceTokens;
  /** Failed bearer attempts per client address: over the limit → 429. Absent: not limited (unit tests). */
  authFailures?: AuthFailureLimiter | undefined;
  logger: Logger;
  /** Largest request body in bytes, Bulk included (advertised as `bulk.maxPayloadSize`). Default 1 MiB. */
  maxPayloadBytes?: number;
  /** Operations one Bulk request may carry. Default 1000. */
  bulkMaxOperations?: number;
}

const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const USER_SCHEMAS = [USER_SCHEMA, ENTERPRISE_USER_SCHEMA];
const GROUP_SCHEMAS = [GROUP_SCHEMA];
const CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export function createScimRouter(options: ScimRouterOptions): Router {
  const limits: ServiceLimits = { maxPayloadBytes: options.maxPayloadBytes ?? 1024 * 1024, bulkMaxOperations: options.bulkMaxOperations ?? 1000 };
  const users = new UserService(options);
  const groups = new GroupService(options);
  const json = jsonBody({ limitBytes: limits.maxPayloadBytes });
  const router = express.Router({ caseSensitive: false });

  router.use(async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    const sourceId = token === undefined ? undefined : await options.tokens.sourceOf(token);
    if (sourceId === undefined) {
      // Presented credentials that failed count towards the address's limit; a request without any tried nothing.
      const retryAfter = req.headers.authorization === undefined ? undefined : await options.authFailures?.recordFailure(req);
      if (retryAfter !== undefined) {
        res.setHeader('retry-after', String(retryAfter));
        throw new ScimError(429, undefined, `Too many failed authentication attempts from this address: retry after ${retryAfter} seconds`);
      }
      res.setHeader('www-authenticate', 'Bearer realm="idsync SCIM"');
      throw new ScimError(401, undefined, token === undefined ? 'A bearer token is required (Authorization: Bearer …)' : 'The bearer token is not valid');
    }
    const context: ScimContext = { sourceId, base: `${req.protocol}://${req.headers.host ?? 'localhost'}${req.baseUrl}` };
    res.locals['scim'] = context;
    next();
  });

  // Discovery
  router.get('/ServiceProviderConfig', (_req, res) => send(res, 200, serviceProviderConfig(ctxOf(res).base, limits)));
  router.get('/ResourceTypes', (_req, res) => send(res, 200, resourceTypes(ctxOf(res).base) ?? {}));
  router.get('/ResourceTypes/:id', (req, res) => send(res, 200, found(resourceTypes(ctxOf(res).base, param(req, 'id')), 'ResourceType')));
  router.get('/Schemas', (_req, res) => send(res, 200, schemas(ctxOf(res).base) ?? {}));
  router.get('/Schemas/:id', (req, res) => send(res, 200, found(schemas(ctxOf(res).base, param(req, 'id')), 'Schema')));
  // RFC 7644 §4: the discovery endpoints are read-only. Another method is refused as such (405,
  // RFC 9110 §15.5.6, which requires `Allow`), not as an endpoint that does not exist.
  for (const endpoint of ['ServiceProviderConfig', 'ResourceTypes', 'Schemas']) {
    router.all([`/${endpoint}`, `/${endpoint}/*rest`], (req, res, next) => {
      if (req.method === 'GET' || req.method === 'HEAD') return next();
      res.setHeader('allow', 'GET');
      throw new ScimError(405, undefined, `/${endpoint} is read-only: only GET is allowed`);
    });
  }

  // Searching across resource types at the root (RFC 7644 §3.4.2, §3.4.3) is not offered: 501 is
  // RFC 7644 §3.12's answer for an operation the service provider does not support.
  const noRootSearch = () => {
    throw new ScimError(501, undefined, 'Searching across resource types is not supported: query /Users or /Groups, or POST to /Users/.search or /Groups/.search');
  };
  router.post('/.search', noRootSearch);
  router.get('/', noRootSearch);

  // Users
  const listUsers = async (query: QueryParams, res: Response) => {
    const ctx = ctxOf(res);
    const list = parseListQuery(query);
    const page = await users.list(ctx, list);
    const resources = page.rows.map((row) => project(toUserResource(row, ctx.base), list, USER_SCHEMAS));
    send(res, 200, listResponse(page.total, list.startIndex, resources));
  };
  router.get('/Users', (req, res) => listUsers(req.query, res));
  router.post('/Users/.search', ...json, (req, res) => listUsers(searchQuery(req.body), res));
  router.get('/Users/:id', async (req, res) => {
    const ctx = ctxOf(res);
    const row = await users.get(ctx, param(req, 'id'));
    if (notModified(req, res, row.version)) return;
    send(res, 200, project(toUserResource(row, ctx.base), parseProjection(req.query), USER_SCHEMAS), etagOf(row.version));
  });
  router.post('/Users', ...json, async (req, res) => {
    const ctx = ctxOf(res);
    const row = await users.create(ctx, req.body);
    const resource = toUserResource(row, ctx.base);
    res.setHeader('location', `${ctx.base}/Users/${row.id}`);
    send(res, 201, project(resource, parseProjection(req.query), USER_SCHEMAS), etagOf(row.version));
  });
  router.put('/Users/:id', ...json, async (req, res) => {
    const ctx = ctxOf(res);
    const row = await users.replace(ctx, param(req, 'id'), req.body, ifMatch(req));
    send(res, 200, project(toUserResource(row, ctx.base), parseProjection(req.query), USER_SCHEMAS), etagOf(row.version));
  });
  router.patch('/Users/:id', ...json, async (req, res) => {
    const ctx = ctxOf(res);
    const row = await users.patch(ctx, param(req, 'id'), req.body, ifMatch(req));
    const projection = parseProjection(req.query);
    // 204 unless the client asks for a representation (RFC 7644 §3.5.2 allows either; Microsoft's
    // reference collection expects 204).
    if (!isProjected(projection)) return sendEmpty(res, 204, etagOf(row.version));
    send(res, 200, project(toUserResource(row, ctx.base), projection, USER_SCHEMAS), etagOf(row.version));
  });
  router.delete('/Users/:id', async (req, res) => {
    await users.delete(ctxOf(res), param(req, 'id'), ifMatch(req));
    sendEmpty(res, 204);
  });

  // Groups
  const groupResources = async (ctx: ScimContext, rows: Awaited<ReturnType<GroupService['list']>>['rows'], projection: Projection) => {
    const withMembers = includesAttribute(projection, 'members', GROUP_SCHEMAS);
    const members = withMembers ? await groups.members(ctx, rows.map((r) => r.id)) : undefined;
    return rows.map((row) => project(toGroupResource(row, members?.get(row.id), ctx.base), projection, GROUP_SCHEMAS));
  };
  const listGroups = async (query: QueryParams, res: Response) => {
    const ctx = ctxOf(res);
    const list = parseListQuery(query);
    const page = await groups.list(ctx, list);
    send(res, 200, listResponse(page.total, list.startIndex, await groupResources(ctx, page.rows, list)));
  };
  const sendGroup = async (res: Response, status: number, id: string, projection: Projection) => {
    const ctx = ctxOf(res);
    const row = await groups.get(ctx, id);
    const [resource] = await groupResources(ctx, [row], projection);
    send(res, status, resource ?? {}, etagOf(row.version));
  };
  router.get('/Groups', (req, res) => listGroups(req.query, res));
  router.post('/Groups/.search', ...json, (req, res) => listGroups(searchQuery(req.body), res));
  router.get('/Groups/:id', async (req, res) => {
    const ctx = ctxOf(res);
    const row = await groups.get(ctx, param(req, 'id'));
    if (notModified(req, res, row.version)) return;
    const [resource] = await groupResources(ctx, [row], parseProjection(req.query));
    send(res, 200, resource ?? {}, etagOf(row.version));
  });
  router.post('/Groups', ...json, async (req, res) => {
    const ctx = ctxOf(res);
    const row = await groups.create(ctx, req.body);
    res.setHeader('location', `${ctx.base}/Groups/${row.id}`);
    await sendGroup(res, 201, row.id, parseProjection(req.query));
  });
  router.put('/Groups/:id', ...json, async (req, res) => {
    const row = await groups.replace(ctxOf(res), param(req, 'id'), req.body, ifMatch(req));
    await sendGroup(res, 200, row.id, parseProjection(req.query));
  });
  router.patch('/Groups/:id', ...json, async (req, res) => {
    const id = param(req, 'id');
    const version = await groups.patch(ctxOf(res), id, req.body, ifMatch(req));
    const projection = parseProjection(req.query);
    if (!isProjected(projection)) return sendEmpty(res, 204, etagOf(version));
    await sendGroup(res, 200, id, projection);
  });
  router.delete('/Groups/:id', async (req, res) => {
    await groups.delete(ctxOf(res), param(req, 'id'), ifMatch(req));
    sendEmpty(res, 204);
  });

  router.post('/Bulk', ...json, async (req, res) => {
    const response = await runBulk(ctxOf(res), req.body, { users, groups, maxOperations: limits.bulkMaxOperations, logger: options.logger });
    noteBulkResponse(res, response);
    send(res, 200, response);
  });

  router.use((req) => {
    throw new ScimError(404, undefined, `No SCIM endpoint ${req.method} ${req.path.slice(0, 200)}`);
  });
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const scimError = scimErrorOf(error);
    logHiddenCause(options.logger, scimError, { method: req.method, path: req.path.slice(0, 200) }, 'SCIM request failed');
    if (res.headersSent) return;
    noteScimError(res, scimError);
    send(res, scimError.status, toScimErrorBody(scimError));
  });
  return router;
}

function ctxOf(res: Response): ScimContext {
  return res.locals['scim'] as ScimContext;
}

function param(req: Request, name: string): string {
  const value = (req.params as Record<string, string | undefined>)[name];
  return value ?? '';
}

function ifMatch(req: Request): string | undefined {
  return req.headers['if-match'];
}

function found(resource: JsonObject | undefined, what: string): JsonObject {
  if (!resource) throw new ScimError(404, undefined, `${what} not found`);
  return resource;
}

function notModified(req: Request, res: Response, version: number): boolean {
  const header = req.headers['if-none-match'];
  if (header === undefined || !matchesEtag(header, version)) return false;
  sendEmpty(res, 304, etagOf(version));
  return true;
}

function listResponse(total: number, startIndex: number, resources: JsonObject[]): JsonObject {
  return { schemas: [LIST_RESPONSE], totalResults: total, itemsPerPage: resources.length, startIndex, Resources: resources };
}

/** A SearchRequest body (RFC 7644 §3.4.3) as the query parameters of a GET. */
function searchQuery(body: unknown): QueryParams {
  if (!isJsonObject(body)) throw new ScimError(400, 'invalidSyntax', 'The request body must be a JSON object');
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'schemas') continue;
    if (Array.isArray(value)) query[key] = value.map(String).join(',');
    else if (typeof value === 'string' || typeof value === 'number') query[key] = String(value);
  }
  return query;
}

function send(res: Response, status: number, body: unknown, etag?: string): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text) };
  if (etag !== undefined) headers['etag'] = etag;
  res.writeHead(status, headers);
  res.end(text);
}

function sendEmpty(res: Response, status: number, etag?: string): void {
  res.writeHead(status, etag === undefined ? {} : { etag });
  res.end();
}
