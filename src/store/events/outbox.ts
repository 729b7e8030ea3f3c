import type { Queryable } from '../db.js';

/** One outbox event as its writers hand it over (`payload` is the contract with outside consumers). */
export interface OutboxEntry {
  type: string;
  person_id: string | null;
  workspace_id: string | null;
  payload: unknown;
}

/** Appends outbox events in one statement, in the caller's transaction. */
export async function insertOutbox(tx: Queryable, rows: readonly OutboxEntry[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `insert into outbox (type, person_id, workspace_id, payload)
     select r.type, r.person_id, r.workspace_id, r.payload
       from jsonb_to_recordset($1::jsonb) as r(type text, person_id uuid, workspace_id text, payload jsonb)`,
    [JSON.stringify(rows)],
  );
}

/** An outbox row; `tx` is its transaction id (xid8) as text. */
export interface OutboxRow {
  id: number;
  tx: string;
  at: Date;
  type: string;
  person_id: string | null;
  workspace_id: string | null;
  payload: unknown;
}

/** A position in the outbox: the (transaction id, row id) of the last event read. */
export type OutboxPosition = readonly [tx: string, id: number];

/**
 * Up to `limit` events after `after`, in (tx, id) order. Only rows of transactions older than every
 * one still running are read, so an event committed late by a slow writer is never passed over.
 */
export async function readOutboxAfter(q: Queryable, after: OutboxPosition, limit: number): Promise<OutboxRow[]> {
  const r = await q.query<OutboxRow>(
    `select id, tx::text as tx, at, type, person_id, workspace_id, payload from outbox
      where (tx, id) > ($1::xid8, $2::bigint) and tx < pg_snapshot_xmin(pg_current_snapshot())
      order by outbox.tx, outbox.id limit $3`,
    [after[0], after[1], limit],
  );
  return r.rows;
}

/** Creates the named reader's position at the start of the outbox unless it exists. */
export async function ensureOutboxCursor(q: Queryable, name: string): Promise<void> {
  await q.query(`insert into outbox_cursors (name, tx, id) values ($1, '0', 0) on conflict (name) do nothing`, [name]);
}

/**
 * The named reader's position, locked `for update skip locked`: undefined while another transaction
 * holds it, so one reader of that name runs at a time.
 */
export async function lockOutboxCursor(tx: Queryable, name: string): Promise<OutboxPosition | undefined> {
  const cursor = (await tx.query<{ tx: string; id: number }>(`select tx::text as tx, id from outbox_cursors where name = $1 for update skip locked`, [name])).rows[0];
  return cursor ? [cursor.tx, cursor.id] : undefined;
}

export async function moveOutboxCursor(tx: Queryable, name: string, to: OutboxPosition): Promise<void> {
  await tx.query(`update outbox_cursors set tx = $2::xid8, id = $3, updated_at = now() where name = $1`, [name, to[0], to[1]]);
}
