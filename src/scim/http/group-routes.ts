import type { RequestHandler, Response, Router } from 'express';
import { toGroupResource } from '../groups/group-resource.js';
import type { GroupService } from '../groups/group-service.js';
import { parseListQuery, parseProjection, type Projection, type QueryParams } from '../list-query.js';
import { listResponse } from '../list-response.js';
import { includesAttribute, isProjected, project } from '../projection.js';
import type { ScimContext } from '../request-context.js';
import { GROUP_SCHEMA } from '../schema-urns.js';
import { etagOf } from '../users/user-resource.js';
import { ctxOf, ifMatch, notModified, param, searchQuery, send, sendEmpty } from './scim-response.js';

const GROUP_SCHEMAS = [GROUP_SCHEMA];

/**
 * `/Groups`: list and search, read, create, replace, patch and delete (RFC 7644 §3). Members are
 * read only when the projection includes them, and a PATCH never loads the member list.
 */
export function addGroupRoutes(router: Router, groups: GroupService, json: RequestHandler[]): void {
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
}
