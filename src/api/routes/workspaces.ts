import { Router } from 'express';
import type { Db } from '../../store/db.js';
import { listMembers } from '../../store/granted/members.js';
import { isLiveWorkspace, listLiveWorkspaces } from '../../store/granted/workspaces.js';
import { MEMBERSHIP_STATUSES } from '../../domain/membership-diff.js';
import { isRole } from '../../domain/roles.js';
import { authorize, visibleWorkspaces } from '../../admin/actor.js';
import { principalOf } from '../auth.js';
import { badRequest, notFound } from '../errors.js';
import { decodeCursor, isTextKey, optionalString, page, parseLimit } from '../paging.js';

export function workspaceReadRoutes(db: Db): Router {
  const router = Router();

  router.get('/workspaces', async (req, res) => {
    const limit = parseLimit(req.query['limit']);
    const after = decodeCursor(req.query['cursor'], isTextKey);
    // A person token lists the workspaces it is a member of.
    const visible = await visibleWorkspaces(db, principalOf(req));
    const rows = await listLiveWorkspaces(db, { after, only: visible, limit: limit + 1 });
    const { items, next } = page(rows, limit, (w) => w.id);
    res.json({ workspaces: items.map((w) => ({ id: w.id, name: w.name, managedBy: w.origin, createdAt: w.created_at })), next });
  });

  router.get('/workspaces/:ws/members', async (req, res) => {
    const ws = req.params['ws'] as string;
    if (!(await isLiveWorkspace(db, ws))) throw notFound(`workspace "${ws}"`);
    await authorize(db, principalOf(req), ws, 'view');
    const limit = parseLimit(req.query['limit']);
    const role = optionalString(req.query['role'], 'role');
    if (role !== undefined && !isRole(role)) throw badRequest('role must be admin, editor or viewer');
    const status = optionalString(req.query['status'], 'status');
    if (status !== undefined && !(MEMBERSHIP_STATUSES as readonly string[]).includes(status)) throw badRequest(`status must be one of ${MEMBERSHIP_STATUSES.join(', ')}`);
    const rows = await listMembers(db, ws, {
      role,
      status,
      q: optionalString(req.query['q'], 'q'),
      after: decodeCursor(req.query['cursor'], isTextKey),
      limit: limit + 1,
    });
    const { items, next } = page(rows, limit, (m) => m.email);
    res.json({ members: items, next });
  });

  return router;
}

