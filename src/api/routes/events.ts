import { Router } from 'express';
import type { Queryable } from '../../store/db.js';
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
    const rows = await db.query<{ id: number; tx: string; at: Date; type: string; person_id: string | null; workspace_id: string | null; payload: unknown }>(
      `select id, tx::text as tx, at, type, person_id, workspace_id, payload from outbox
        where (tx, id) > ($1::xid8, $2::bigint) and tx < pg_snapshot_xmin(pg_current_snapshot())
        order by outbox.tx, outbox.id limit $3`,
      [after[0], after[1], limit],
    );
    const last = rows.rows[rows.rows.length - 1];
    res.json({
      events: rows.rows.map((r) => ({ id: r.id, type: r.type, at: r.at, personId: r.person_id, workspaceId: r.workspace_id, data: r.payload })),
      next: encodeCursor(last ? [last.tx, last.id] : after),
    });
  });
  return router;
}
