import { Router } from 'express';
import type { AdminContext } from '../../admin/context.js';
import { explainAccess } from '../../explain/explain-access.js';
import { isUuid } from '../../store/uuid-text.js';
import { principalOf } from '../auth.js';
import { notFound } from '../errors.js';
import { optionalString } from '../paging.js';

/**
 * `GET /people/{id}/access?workspace=` (design §5): why the person holds what they hold in each
 * workspace the caller may view the members of, and what ended the grants that ended.
 */
export function accessRoutes(ctx: AdminContext): Router {
  const router = Router();
  router.get('/people/:id/access', async (req, res) => {
    const id = req.params['id'] as string;
    if (!isUuid(id)) throw notFound(`person "${id}"`);
    const workspace = optionalString(req.query['workspace'], 'workspace');
    res.json(await explainAccess(ctx, principalOf(req), id, { workspace }));
  });
  return router;
}
