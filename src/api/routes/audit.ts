import { Router } from 'express';
import type { Db } from '../../store/db.js';
import { listAudit } from '../../store/events/audit-log.js';
import { isUuid } from '../../store/uuid-text.js';
import { authorize } from '../../admin/actor.js';
import { principalOf } from '../auth.js';
import { badRequest } from '../errors.js';
import { decodeCursor, optionalString, page, parseLimit } from '../paging.js';

const isId = (v: unknown): v is number => Number.isSafeInteger(v);

/** `GET /audit?workspace=&person=&actor=&since=` — newest first. `person` is a person id or an e-mail. */
export function auditRoutes(db: Db): Router {
  const router = Router();
  router.get('/audit', async (req, res) => {
    const workspace = optionalString(req.query['workspace'], 'workspace');
    // A person token reads the audit log of a workspace it administers (`workspace=` required).
    const principal = principalOf(req);
    if (principal.kind === 'person') {
      if (workspace === undefined) throw badRequest('a person token must filter the audit log by workspace');
      await authorize(db, principal, workspace, 'manage-workspace');
    }
    const limit = parseLimit(req.query['limit']);
    const before = decodeCursor(req.query['cursor'], isId);
    const since = optionalString(req.query['since'], 'since');
    if (since !== undefined && Number.isNaN(Date.parse(since))) throw badRequest('since must be an ISO-8601 timestamp');
    const person = optionalString(req.query['person'], 'person');
    const personId = person !== undefined && isUuid(person) ? person : null;
    const personEmail = person !== undefined && personId === null ? person.toLowerCase() : null;
    const rows = await listAudit(db, {
      workspace: workspace ?? null, personId, personEmail, actor: optionalString(req.query['actor'], 'actor') ?? null, since: since ?? null, beforeId: before ?? null, limit: limit + 1,
    });
    const { items, next } = page(rows, limit, (r) => r.id);
    res.json({
      entries: items.map((r) => ({
        id: r.id, at: r.at, actor: r.actor, action: r.action, personId: r.person_id, email: r.email,
        workspace: r.workspace_id, before: r.before, after: r.after, cause: r.cause,
      })),
      next,
    });
  });
  return router;
}
