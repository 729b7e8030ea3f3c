import { Router, type Response } from 'express';
import { visibleWorkspaces } from '../../admin/actor.js';
import type { Queryable } from '../../store/db.js';
import { listPermissions } from '../../store/granted/members.js';
import { principalOf } from '../auth.js';
import { csvCell } from '../csv-cell.js';
import { decodeCursor, optionalString, page, parseLimit } from '../paging.js';

/** A permissions cursor: the last row's e-mail and workspace. */
const isPermissionKey = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string';
const CSV_COLUMNS = ['personId', 'email', 'workspace', 'role', 'status', 'origin', 'validUntil'] as const;
const CSV_CHUNK = 1000;

async function writeCsv(res: Response, q: Queryable, workspaces: string[] | null, workspace: string | undefined): Promise<void> {
  // The first page is read before anything is sent: a value the database refuses (a NUL in
  // `workspace`) is still answered with an error, not a 200 cut off mid-file.
  let rows = await listPermissions(q, { workspaces, workspace, after: undefined, limit: CSV_CHUNK });
  res.type('text/csv; charset=utf-8').setHeader('content-disposition', 'attachment; filename="permissions.csv"');
  res.write(`${CSV_COLUMNS.join(',')}\n`);
  for (;;) {
    for (const row of rows) res.write(`${CSV_COLUMNS.map((c) => csvCell(row[c])).join(',')}\n`);
    const last = rows[rows.length - 1];
    if (!last || rows.length < CSV_CHUNK) break;
    rows = await listPermissions(q, { workspaces, workspace, after: [last.email, last.workspace], limit: CSV_CHUNK });
  }
  res.end();
}

/**
 * `GET /permissions[?workspace=]`: who has which role where, with status, origin and validity — JSON
 * (paged) or, with `Accept: text/csv`, the whole table as CSV. A person token sees the workspaces it
 * is a member of.
 */
export function permissionRoutes(db: Queryable): Router {
  const router = Router();
  router.get('/permissions', async (req, res) => {
    const workspaces = await visibleWorkspaces(db, principalOf(req));
    const workspace = optionalString(req.query['workspace'], 'workspace');
    if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
      await writeCsv(res, db, workspaces, workspace);
      return;
    }
    const limit = parseLimit(req.query['limit']);
    const rows = await listPermissions(db, { workspaces, workspace, after: decodeCursor(req.query['cursor'], isPermissionKey), limit: limit + 1 });
    const { items, next } = page(rows, limit, (r) => [r.email, r.workspace]);
    res.json({ permissions: items, next });
  });
  return router;
}
