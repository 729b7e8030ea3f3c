import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../config/schema.js';
import type { Db } from '../../store/db.js';
import { latestRunIds } from '../../store/runs/latest-runs.js';
import { isPulled } from '../../sync/connectors.js';
import { getRun, listRuns, type SyncRunView } from '../../store/runs/sync-runs.js';
import { healthView, sourcesHealth } from '../../sync/sources-health.js';
import type { SyncService } from '../../sync/sync-service.js';
import { requireSystem } from '../auth.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import { decodeCursor, page, parseLimit } from '../paging.js';

const syncRequest = z
  .object({ mode: z.enum(['full', 'delta']).default('delta'), dryRun: z.boolean().default(false), allowDeletes: z.boolean().default(false) })
  .strict();

const isTimestamp = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));

export function runView(r: SyncRunView): Record<string, unknown> {
  return {
    id: r.id,
    mode: r.mode,
    status: r.status,
    dryRun: r.dryRun,
    trigger: r.trigger,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    counts: r.counts,
    skipped: r.skippedReasons,
    error: r.error,
    notices: r.notices,
    detail: r.detail,
  };
}

/** `GET /sources`, `POST /sources/{id}/sync`, `GET /sources/{id}/runs` (newest first), `GET /sources/{id}/runs/{runId}`. */
export function sourceRoutes(options: { db: Db; config: Config; sync: SyncService | undefined }): Router {
  const router = Router();

  router.get('/sources', async (_req, res) => {
    // The system clock, as the runs' own timestamps (written by the database) are.
    const health = new Map((await sourcesHealth(options.db, options.config, new Date())).map((h) => [h.id, h.health]));
    const lastRun = await latestRunIds(options.db);
    const sources = [];
    for (const s of options.config.sources) {
      const runId = lastRun.get(s.id);
      const run = runId ? await getRun(options.db, runId) : undefined;
      sources.push({
        id: s.id,
        kind: s.kind,
        precedence: s.precedence,
        pulled: isPulled(s),
        schedule: isPulled(s) ? (s.schedule ?? null) : null,
        ...healthView(health.get(s.id) ?? { state: 'ok', reason: 'not registered yet', since: null }),
        lastRun: run ? runView(run) : null,
      });
    }
    res.json({ sources, next: null });
  });

  router.post('/sources/:id/sync', async (req, res) => {
    requireSystem(req);
    if (!options.sync) throw new ApiError('unavailable', 'this process does not run syncs');
    const body = syncRequest.safeParse(req.body ?? {});
    if (!body.success) throw badRequest(body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    // A run already in progress (run_in_progress), an unknown source (not_found) or one that is
    // pushed to (not_syncable) is answered by the error handler with its code.
    const run = await options.sync.trigger(req.params['id'] as string, { ...body.data, trigger: 'api' });
    res.status(202).json({ run: runView(run) });
  });

  router.get('/sources/:id/runs', async (req, res) => {
    const id = req.params['id'] as string;
    if (!options.config.sources.some((s) => s.id === id)) throw notFound(`source "${id}"`);
    const limit = parseLimit(req.query['limit']);
    const before = decodeCursor(req.query['cursor'], isTimestamp);
    const runs = await listRuns(options.db, id, { limit: limit + 1, before });
    const { items, next } = page(runs, limit, (r) => r.createdAt.toISOString());
    res.json({ runs: items.map(runView), next });
  });

  router.get('/sources/:id/runs/:runId', async (req, res) => {
    const run = /^[0-9a-f-]{36}$/i.test(req.params['runId'] as string) ? await getRun(options.db, req.params['runId'] as string) : undefined;
    if (!run || run.sourceId !== req.params['id']) throw notFound('run');
    res.json({ run: runView(run) });
  });

  return router;
}
