import { Router } from 'express';
import { z } from 'zod';
import { addMember } from '../../admin/add-member.js';
import { changeRole } from '../../admin/change-role.js';
import type { AdminContext } from '../../admin/context.js';
import { extendMember } from '../../admin/extend-member.js';
import { removeMember } from '../../admin/remove-member.js';
import { ROLES } from '../../domain/roles.js';
import { isUuid } from '../../store/uuid-text.js';
import { principalOf } from '../auth.js';
import { parseBody } from '../body.js';
import { notFound } from '../errors.js';

const role = z.enum(ROLES);
const addBody = z.object({ email: z.string().min(3).max(320), role, validUntil: z.string().optional() });
const roleBody = z.object({ role });
const extendBody = z.object({ validUntil: z.string() });

function personParam(value: string | string[] | undefined): string {
  if (typeof value !== 'string' || !isUuid(value)) throw notFound(`person "${String(value)}"`);
  return value;
}

/**
 * Hand changes to memberships (design §5): add, change role, remove, extend — each under the role
 * matrix for a person token, and never to a membership the rules hold.
 */
export function memberRoutes(ctx: AdminContext): Router {
  const router = Router();

  router.post('/workspaces/:ws/members', async (req, res) => {
    const body = parseBody(addBody, req.body);
    const member = await addMember(ctx, principalOf(req), req.params['ws'] as string, body);
    res.status(201).json({ member });
  });

  router.patch('/workspaces/:ws/members/:personId', async (req, res) => {
    const body = parseBody(roleBody, req.body);
    const member = await changeRole(ctx, principalOf(req), req.params['ws'] as string, personParam(req.params['personId']), body.role);
    res.json({ member });
  });

  router.delete('/workspaces/:ws/members/:personId', async (req, res) => {
    await removeMember(ctx, principalOf(req), req.params['ws'] as string, personParam(req.params['personId']));
    res.status(204).end();
  });

  router.post('/workspaces/:ws/members/:personId/extend', async (req, res) => {
    const body = parseBody(extendBody, req.body);
    const member = await extendMember(ctx, principalOf(req), req.params['ws'] as string, personParam(req.params['personId']), body.validUntil);
    res.json({ member });
  });

  return router;
}
