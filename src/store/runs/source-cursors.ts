import type { Queryable } from '../db.js';

/**
 * Each pulled source's delta cursor (`source_cursors`): where its next delta run starts, saved
 * only by a run that succeeded.
 */
export async function savedCursor(q: Queryable, sourceId: string): Promise<string | undefined> {
  const r = await q.query<{ cursor: string }>('select cursor from source_cursors where source_id = $1', [sourceId]);
  return r.rows[0]?.cursor;
}

export async function saveCursor(q: Queryable, sourceId: string, cursor: string, runId: string): Promise<void> {
  await q.query(
    `insert into source_cursors (source_id, cursor, run_id) values ($1, $2, $3)
     on conflict (source_id) do update set cursor = excluded.cursor, run_id = excluded.run_id, updated_at = now()`,
    [sourceId, cursor, runId],
  );
}
