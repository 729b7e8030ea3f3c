import type { Queryable } from '../db.js';

/** One audit-log entry as its writers hand it over (`before`/`after` are stored as JSON). */
export interface AuditEntry {
  actor: string;
  action: string;
  person_id?: string | null | undefined;
  workspace_id: string | null;
  before: unknown;
  after: unknown;
  cause: string | null;
}

/** Appends audit rows in one statement, in the caller's transaction. */
export async function insertAudit(tx: Queryable, rows: readonly AuditEntry[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `insert into audit_log (actor, action, person_id, workspace_id, before, after, cause)
     select r.actor, r.action, r.person_id, r.workspace_id, r.before, r.after, r.cause
       from jsonb_to_recordset($1::jsonb) as r(actor text, action text, person_id uuid, workspace_id text, before jsonb, after jsonb, cause text)`,
    [JSON.stringify(rows)],
  );
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  action: string;
  person_id: string | null;
  email: string | null;
  workspace_id: string | null;
  before: unknown;
  after: unknown;
  cause: string | null;
}

/** Audit entries newest first, each filter ignored when null; `beforeId` is the paging cursor. */
export async function listAudit(
  q: Queryable,
  filter: { workspace: string | null; personId: string | null; personEmail: string | null; actor: string | null; since: string | null; beforeId: number | null; limit: number },
): Promise<AuditRow[]> {
  const r = await q.query<AuditRow>(
    `select a.id, a.at, a.actor, a.action, a.person_id, p.email, a.workspace_id, a.before, a.after, a.cause
       from audit_log a left join people p on p.id = a.person_id
      where ($1::text is null or a.workspace_id = $1)
        and ($2::uuid is null or a.person_id = $2)
        and ($3::text is null or lower(p.email) = $3)
        and ($4::text is null or a.actor = $4)
        and ($5::timestamptz is null or a.at >= $5)
        and ($6::bigint is null or a.id < $6)
      order by a.id desc limit $7`,
    [filter.workspace, filter.personId, filter.personEmail, filter.actor, filter.since, filter.beforeId, filter.limit],
  );
  return r.rows;
}
