import express, { Router } from 'express';
import type { AdminContext } from '../../admin/context.js';
import { ImportInvalidError, importUsers } from '../../admin/import-users.js';
import { principalOf } from '../auth.js';
import { ApiError, badRequest } from '../errors.js';

const CSV_TYPES = ['text/csv', 'text/plain', 'application/csv'];

/**
 * `POST /workspaces/{ws}/imports` with a `text/csv` body (the template's columns), `?dryRun=true`
 * to see what would change. An invalid file → 400 listing every error by line; nothing is written.
 */
export function importRoutes(ctx: AdminContext): Router {
  const router = Router();
  router.post('/workspaces/:ws/imports', express.text({ type: CSV_TYPES, limit: '20mb' }), async (req, res) => {
    if (typeof req.body !== 'string') throw new ApiError('unsupported_media_type', 'send the CSV file as text/csv');
    const dryRunParam = req.query['dryRun'];
    if (dryRunParam !== undefined && dryRunParam !== 'true' && dryRunParam !== 'false') throw badRequest('dryRun must be true or false');
    try {
      const result = await importUsers(ctx, principalOf(req), req.params['ws'] as string, req.body, { dryRun: dryRunParam === 'true' });
      res.json({ import: result });
    } catch (error) {
      if (!(error instanceof ImportInvalidError)) throw error;
      res.status(400).json({ error: { code: 'invalid_import', message: error.message, lines: error.errors } });
    }
  });
  return router;
}
