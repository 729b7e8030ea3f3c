import type { Queryable } from './db.js';

/** Appends audit rows in one statement. Shared by every writer of granted state. */
export async function insertAudit(tx: Queryable, rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `insert into audit_log (actor, action, person_id, workspace_id, before, after, cause)
     select r.actor, r.action, r.person_id, r.workspace_id, r.before, r.after, r.cause
       from jsonb_to_recordset($1::jsonb) as r(actor text, action text, person_id uuid, workspace_id text, before jsonb, after jsonb, cause text)`,
    [JSON.stringify(rows)],
  );
}

/** Appends outbox events in one statement, in the caller's transaction. */
export async function insertOutbox(tx: Queryable, rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `insert into outbox (type, person_id, workspace_id, payload)
     select r.type, r.person_id, r.workspace_id, r.payload
       from jsonb_to_recordset($1::jsonb) as r(type text, person_id uuid, workspace_id text, payload jsonb)`,
    [JSON.stringify(rows)],
  );
}

