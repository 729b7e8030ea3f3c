import type { Queryable } from './db.js';

/** A change to park: the person (by correlation key) whose access must be recomputed, and why. */
export interface ChangeToPark {
  key: string;
  sourceId: string;
  cause: string;
}

/** A parked change as the relay reads it; `created_at` is when it was parked. */
export interface ParkedChangeRow {
  key: string;
  source_id: string;
  cause: string;
  created_at: Date;
}

/**
 * Parks identity changes in `pending_changes`, in the caller's transaction: the publisher's relay
 * puts them on the queue once it answers. A key already parked keeps its first cause.
 */
export async function parkChanges(q: Queryable, changes: readonly ChangeToPark[]): Promise<void> {
  if (changes.length === 0) return;
  await q.query(
    `insert into pending_changes (key, source_id, cause)
     select r.key, r.source_id, r.cause from jsonb_to_recordset($1::jsonb) as r(key text, source_id text, cause text)
     on conflict (key) do nothing`,
    [JSON.stringify(changes.map((c) => ({ key: c.key, source_id: c.sourceId, cause: c.cause })))],
  );
}

/**
 * Parks a change for every address any source account has (live or deleted) — of one source, or of
 * all — so that the relay queues a reconciliation of every person rules may grant to: what recovers
 * changes whose publication was lost (a queue that lost its data, a sync killed before it
 * published). Returns how many were parked (addresses already parked keep their cause).
 */
export async function parkEveryone(q: Queryable, cause: string, options: { sourceId?: string } = {}): Promise<number> {
  const parked = await q.query(
    `insert into pending_changes (key, source_id, cause)
     select distinct on (email) email, source_id, $1 from source_users
      where email is not null and ($2::text is null or source_id = $2)
      order by email, deleted_at is not null, source_id
     on conflict (key) do nothing`,
    [cause, options.sourceId ?? null],
  );
  return parked.rowCount;
}

/**
 * Locks the oldest `limit` parked changes for the caller's transaction, skipping those another
 * relay holds. Run by ingest's publisher only (`ingest/durable-publisher.ts`), which drops them
 * with `dropParkedChanges` once the queue has taken them.
 */
export async function lockParkedChanges(tx: Queryable, limit: number): Promise<ParkedChangeRow[]> {
  const r = await tx.query<ParkedChangeRow>('select key, source_id, cause, created_at from pending_changes order by created_at limit $1 for update skip locked', [limit]);
  return r.rows;
}

/** Deletes the parked changes of these keys (the queue took them). */
export async function dropParkedChanges(tx: Queryable, keys: readonly string[]): Promise<void> {
  await tx.query('delete from pending_changes where key = any($1::text[])', [keys]);
}

/** How many changes are parked, waiting for the queue (the `idsync_parked_changes` gauge). */
export async function countParkedChanges(q: Queryable): Promise<number> {
  const r = await q.query<{ n: number }>('select count(*)::int as n from pending_changes');
  return r.rows[0]?.n ?? 0;
}
