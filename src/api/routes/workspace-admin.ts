import { Router } from 'express';
import { z } from 'zod';
import type { AdminContext } from '../../admin/context.js';
import { createWorkspace, deleteWorkspace, renameWorkspace } from '../../admin/manage-workspace.js';
import { principalOf } from '../auth.js';
import { parseBody } from '../body.js';

const createBody = z.object({ id: z.string(), name: z.string() });
const renameBody = z.object({ name: z.string() });

/** `POST /workspaces`, `PATCH /workspaces/{ws}` (rename), `DELETE /workspaces/{ws}` — admins. */
export function workspaceAdminRoutes(ctx: AdminContext): Router {
  const router = Router();
  router.post('/workspaces', async (req, res) => {
    const workspace = await createWorkspace(ctx, principalOf(req), parseBody(createBody, req.body));
    res.status(201).json({ workspace });
  });
  router.patch('/workspaces/:ws', async (req, res) => {
    const workspace = await renameWorkspace(ctx, principalOf(req), req.params['ws'] as string, parseBody(renameBody, req.body).name);
    res.json({ workspace });
  });
  router.delete('/workspaces/:ws', async (req, res) => {
    await deleteWorkspace(ctx, principalOf(req), req.params['ws'] as string);
    res.status(204).end();
  });
  return router;
}
