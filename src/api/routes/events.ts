import { Router } from 'express';
import type { Queryable } from '../../store/db.js';
import { readOutboxAfter } from '../../store/events/outbox.js';
import { requireSystem } from '../auth.js';
import { decodeCursor, encodeCursor, parseLimit } from '../paging.js';

const isPosition = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && /^\d+$/.test(v[0]) && Number.isSafeInteger(v[1]);

/**
 * `GET /events?after=<cursor>&limit=` — the membership events of the outbox as a feed, oldest first.
 * A feed does not end: `next` is always the position to ask from next time, also when the page was
 * empty. Like the webhook relay, it shows only rows of transactions older than every one still
 * running, so an event committed late is never skipped.
 */
export function eventRoutes(db: Queryable): Router {
  const router = Router();
  router.get('/events', async (req, res) => {
    requireSystem(req);
    const limit = parseLimit(req.query['limit']);
    const after = decodeCursor(req.query['after'], isPosition) ?? ['0', 0];
    const rows = await readOutboxAfter(db, after, limit);
    const last = rows[rows.length - 1];
    res.json({
      events: rows.map((r) => ({ id: r.id, type: r.type, at: r.at, personId: r.person_id, workspaceId: r.workspace_id, data: r.payload })),
      next: encodeCursor(last ? [last.tx, last.id] : after),
    });
  });
  return router;
}
