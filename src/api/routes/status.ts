import type { Queue } from 'bullmq';
import { Router } from 'express';
import type { Db } from '../../store/db.js';
import { sourcesWithLatestRun } from '../../store/runs/latest-runs.js';
import { healthView, type SourceHealthReport } from '../../sync/sources-health.js';

/** `GET /status`: queue depths, the health and last run of every source and recent failures — what `idsync status` prints. */
export function statusRoutes(options: { db: Db; queues: readonly Queue[]; sourcesHealth?: (() => Promise<SourceHealthReport[]>) | undefined }): Router {
  const router = Router();
  router.get('/status', async (_req, res) => {
    const queues = await Promise.all(
      options.queues.map(async (q) => ({ name: q.name, counts: await q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed') })),
    );
    const runs = await sourcesWithLatestRun(options.db);
    const health = new Map((await options.sourcesHealth?.())?.map((h) => [h.id, h.health]));
    res.json({
      queues,
      sources: runs.map((r) => {
        const h = health.get(r.source_id);
        return {
          id: r.source_id,
          kind: r.kind,
          ...(h ? healthView(h) : {}),
          lastRun: r.id ? { id: r.id, mode: r.mode, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at, counts: r.counts, error: r.error ? { message: r.error } : null } : null,
        };
      }),
    });
  });
  return router;
}
