import type { RequestHandler, Response, Router } from 'express';
import { parseListQuery, parseProjection, type QueryParams } from '../list-query.js';
import { listResponse } from '../list-response.js';
import { isProjected, project } from '../projection.js';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../schema-urns.js';
import { etagOf, toUserResource } from '../users/user-resource.js';
import type { UserService } from '../users/user-service.js';
import { ctxOf, ifMatch, notModified, param, searchQuery, send, sendEmpty } from './scim-response.js';

const USER_SCHEMAS = [USER_SCHEMA, ENTERPRISE_USER_SCHEMA];

/** `/Users`: list and search, read, create, replace, patch and delete (RFC 7644 §3). */
export function addUserRoutes(router: Router, users: UserService, json: RequestHandler[]): void {
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
}
