import { Router, type Request } from 'express';
import type { Queryable } from '../../store/db.js';
import { isRegisteredSource } from '../../store/registry.js';
import { listScimRequests, type RequestLogPosition } from '../../store/events/provisioning-log.js';
import { listSkippedEntries } from '../../store/runs/skipped-entries.js';
import { getRun } from '../../store/runs/sync-runs.js';
import { isUuid } from '../../store/uuid-text.js';
import { requireSystem } from '../auth.js';
import { badRequest, notFound } from '../errors.js';
import { decodeCursor, optionalString, page, parseLimit } from '../paging.js';

const isPosition = (v: unknown): v is RequestLogPosition =>
  typeof v === 'object' && v !== null && typeof (v as RequestLogPosition).at === 'string' && !Number.isNaN(Date.parse((v as RequestLogPosition).at)) && /^\d{1,18}$/.test(String((v as RequestLogPosition).id));
const isSeq = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * What a source sent and what a run skipped, for whoever debugs an IdP integration:
 * `GET /sources/{id}/requests?since=&status=&limit=&cursor=` (the provisioning log, newest first) and
 * `GET /sources/{id}/runs/{runId}/skipped` (in the order the run met them). Both name directory
 * accounts and what they were sent, so only the system token reads them.
 */
export function provisioningLogRoutes(db: Queryable): Router {
  const router = Router();

  router.get('/sources/:id/requests', async (req, res) => {
    requireSystem(req);
    const sourceId = req.params['id'] as string;
    if (!(await isRegisteredSource(db, sourceId))) throw notFound(`source "${sourceId}"`);
    const limit = parseLimit(req.query['limit']);
    const rows = await listScimRequests(db, sourceId, {
      since: sinceOf(req),
      status: statusOf(req),
      before: decodeCursor(req.query['cursor'], isPosition),
      limit: limit + 1,
    });
    const { items, next } = page(rows, limit, (r) => ({ at: r.at, id: r.id }));
    res.json({ requests: items, next });
  });

  router.get('/sources/:id/runs/:runId/skipped', async (req, res) => {
    requireSystem(req);
    const runId = req.params['runId'] as string;
    const run = isUuid(runId) ? await getRun(db, runId) : undefined;
    if (!run || run.sourceId !== req.params['id']) throw notFound('run');
    const limit = parseLimit(req.query['limit']);
    const rows = await listSkippedEntries(db, runId, { afterSeq: decodeCursor(req.query['cursor'], isSeq), limit: limit + 1 });
    const { items, next } = page(rows, limit, (r) => r.seq);
    // `total`: every entry the run skipped; a run keeps only its first ones to list.
    res.json({ skipped: items.map(({ externalId, reason, detail }) => ({ externalId, reason, detail })), total: run.counts.skipped, next });
  });

  return router;
}

function sinceOf(req: Request): Date | undefined {
  const since = optionalString(req.query['since'], 'since');
  if (since === undefined) return undefined;
  const at = new Date(since);
  if (Number.isNaN(at.getTime())) throw badRequest('since must be an ISO-8601 timestamp');
  return at;
}

/** `status=409` (that status) or `status=4xx` (its class). */
function statusOf(req: Request): { min: number; max: number } | undefined {
  const status = optionalString(req.query['status'], 'status');
  if (status === undefined) return undefined;
  if (/^[1-5]\d\d$/.test(status)) return { min: Number(status), max: Number(status) };
  if (/^[1-5]xx$/i.test(status)) return { min: Number(status[0]) * 100, max: Number(status[0]) * 100 + 99 };
  throw badRequest('status must be an HTTP status (409) or a class of them (4xx)');
}
