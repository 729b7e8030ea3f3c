import { Router } from 'express';
import { z } from 'zod';
import { authorize } from '../../admin/actor.js';
import type { AdminContext } from '../../admin/context.js';
import { acceptInvite, createInvite, listPendingInvites, revokeInvite } from '../../admin/invites.js';
import { ROLES } from '../../domain/roles.js';
import { isLiveWorkspace } from '../../store/granted/workspaces.js';
import { isUuid } from '../../store/uuid-text.js';
import { principalOf } from '../auth.js';
import { parseBody } from '../body.js';
import { notFound } from '../errors.js';
import { decodeCursor, page, parseLimit } from '../paging.js';

const createBody = z.object({ email: z.string().min(3).max(320), role: z.enum(ROLES) });
const acceptBody = z.object({ token: z.string().min(10).max(200) });
/** An invites cursor: the last invite's creation time and id. */
const isInviteKey = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && isUuid(v[1]);

/**
 * Invites: create (the secret token is in this response only), list pending, revoke, and accept by
 * token → an active membership.
 */
export function inviteRoutes(ctx: AdminContext): Router {
  const router = Router();

  router.post('/workspaces/:ws/invites', async (req, res) => {
    const { invite, token } = await createInvite(ctx, principalOf(req), req.params['ws'] as string, parseBody(createBody, req.body));
    res.status(201).json({ invite: { ...invite, token } });
  });

  router.get('/workspaces/:ws/invites', async (req, res) => {
    const ws = req.params['ws'] as string;
    if (!(await isLiveWorkspace(ctx.db, ws))) throw notFound(`workspace "${ws}"`);
    await authorize(ctx.db, principalOf(req), ws, 'view');
    const limit = parseLimit(req.query['limit']);
    const rows = await listPendingInvites(ctx.db, ws, { now: ctx.now(), after: decodeCursor(req.query['cursor'], isInviteKey), limit: limit + 1 });
    const { items, next } = page(rows, limit, (i) => [i.createdAt, i.id]);
    res.json({ invites: items, next });
  });

  router.delete('/workspaces/:ws/invites/:id', async (req, res) => {
    const id = req.params['id'] as string;
    if (!isUuid(id)) throw notFound(`invite "${id}"`);
    await revokeInvite(ctx, principalOf(req), req.params['ws'] as string, id);
    res.status(204).end();
  });

  router.post('/invites/accept', async (req, res) => {
    const result = await acceptInvite(ctx, principalOf(req), parseBody(acceptBody, req.body).token);
    res.json(result);
  });

  return router;
}
