import type { PersonChange } from '../ingest/records.js';
import type { Queryable } from './db.js';

/**
 * Parks identity changes in `pending_changes`, in the caller's transaction: the publisher's relay
 * puts them on the queue once it answers. A key already parked keeps its first cause.
 */
export async function parkChanges(q: Queryable, changes: readonly PersonChange[]): Promise<void> {
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
