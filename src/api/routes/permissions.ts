import { Router, type Response } from 'express';
import { visibleWorkspaces } from '../../admin/actor.js';
import type { Queryable } from '../../store/db.js';
import { principalOf } from '../auth.js';
import { csvCell } from '../csv-cell.js';
import { decodeCursor, optionalString, page, parseLimit } from '../paging.js';

export interface PermissionRow {
  personId: string;
  email: string;
  workspace: string;
  role: string;
  status: string;
  origin: string;
  validUntil: string | null;
}

const isKey = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string';
const CSV_COLUMNS = ['personId', 'email', 'workspace', 'role', 'status', 'origin', 'validUntil'] as const;
const CSV_CHUNK = 1000;

/** Effective memberships (people × workspaces), ordered by e-mail then workspace, removed ones left out. */
async function permissions(q: Queryable, options: { workspaces: string[] | null; workspace: string | undefined; after: [string, string] | undefined; limit: number }): Promise<PermissionRow[]> {
  const r = await q.query<{ person_id: string; email: string; workspace_id: string; role: string; status: string; origin: string; valid_until: Date | null }>(
    `select e.* from (
       select distinct on (m.person_id, m.workspace_id) m.person_id, lower(p.email) as email, m.workspace_id, m.role, m.status, m.origin, m.valid_until
         from memberships m join people p on p.id = m.person_id join workspaces w on w.id = m.workspace_id and w.deleted_at is null
        where ($1::text[] is null or m.workspace_id = any($1::text[])) and ($2::text is null or m.workspace_id = $2)
        order by m.person_id, m.workspace_id, (m.status = 'active') desc,
                 case m.role when 'admin' then 3 when 'editor' then 2 else 1 end desc, (m.origin = 'rules') desc, m.updated_at desc
     ) e
     where e.status <> 'removed' and ($3::text is null or (e.email, e.workspace_id) > ($3::text, $4::text))
     order by e.email, e.workspace_id limit $5`,
    [options.workspaces, options.workspace ?? null, options.after?.[0] ?? null, options.after?.[1] ?? null, options.limit],
  );
  return r.rows.map((x) => ({ personId: x.person_id, email: x.email, workspace: x.workspace_id, role: x.role, status: x.status, origin: x.origin, validUntil: x.valid_until ? x.valid_until.toISOString() : null }));
}

async function writeCsv(res: Response, q: Queryable, workspaces: string[] | null, workspace: string | undefined): Promise<void> {
  res.type('text/csv; charset=utf-8').setHeader('content-disposition', 'attachment; filename="permissions.csv"');
  res.write(`${CSV_COLUMNS.join(',')}\n`);
  let after: [string, string] | undefined;
  for (;;) {
    const rows = await permissions(q, { workspaces, workspace, after, limit: CSV_CHUNK });
    for (const row of rows) res.write(`${CSV_COLUMNS.map((c) => csvCell(row[c])).join(',')}\n`);
    const last = rows[rows.length - 1];
    if (!last || rows.length < CSV_CHUNK) break;
    after = [last.email, last.workspace];
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
    const rows = await permissions(db, { workspaces, workspace, after: decodeCursor(req.query['cursor'], isKey), limit: limit + 1 });
    const { items, next } = page(rows, limit, (r) => [r.email, r.workspace]);
    res.json({ permissions: items, next });
  });
  return router;
}
