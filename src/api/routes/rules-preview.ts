import express, { Router } from 'express';
import type { AdminContext } from '../../admin/context.js';
import { ConfigError } from '../../config/load.js';
import { candidateConfig } from '../../explain/candidate-config.js';
import { previewRules } from '../../explain/preview-rules.js';
import { requireSystem } from '../auth.js';
import { badRequest } from '../errors.js';
import { optionalString } from '../paging.js';

/** A candidate in the config file's own format; JSON arrives parsed by the API's JSON parser. */
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];

/**
 * `POST /rules/preview[?unchanged=true]` with a candidate `workspaces` (and `lifecycle`) section,
 * YAML or JSON (design §5): what the rules would grant, change and suspend for everyone, with
 * totals; writes nothing. The system token only: it reads every person. A candidate with problems
 * is a 400 listing each by its path, as the daemon's start-up would.
 */
export function rulesPreviewRoutes(ctx: AdminContext): Router {
  const router = Router();
  router.post(
    '/rules/preview',
    (req, _res, next) => {
      requireSystem(req);
      next();
    },
    express.text({ type: YAML_TYPES, limit: '1mb' }),
    async (req, res) => {
      const unchanged = optionalString(req.query['unchanged'], 'unchanged');
      if (unchanged !== undefined && unchanged !== 'true' && unchanged !== 'false') throw badRequest('unchanged must be true or false');
      let candidate;
      try {
        candidate = candidateConfig(ctx.config, req.body);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        res.status(400).json({ error: { code: 'invalid_config', message: 'the candidate rules are not valid', problems: error.problems } });
        return;
      }
      res.json(await previewRules(ctx.db, candidate, { now: ctx.now(), includeUnchanged: unchanged === 'true' }));
    },
  );
  return router;
}
