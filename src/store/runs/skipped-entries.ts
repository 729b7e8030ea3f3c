/**
 * The entries a sync run skipped (`sync_run_skipped`), each with its reason, in the order the run
 * met them. The run's counts keep the total; this keeps the first ones, for
 * `GET /api/v1/sources/{id}/runs/{runId}/skipped`.
 */
import type { Queryable } from '../db.js';
import { storableText } from '../storable-text.js';

export interface SkippedEntryRow {
  externalId?: string | undefined;
  /** A short, stable reason such as `no-email` or `duplicate-email`. */
  reason: string;
  detail?: string | undefined;
}

export interface SkippedEntryView {
  seq: number;
  externalId: string | null;
  reason: string;
  detail: string | null;
}

/** Stores a run's skipped entries in one statement, numbered from 1 in the order given. */
export async function insertSkippedEntries(q: Queryable, runId: string, entries: readonly SkippedEntryRow[]): Promise<void> {
  if (entries.length === 0) return;
  await q.query(
    `insert into sync_run_skipped (run_id, seq, external_id, reason, detail)
     select $1, r.seq, r.external_id, r.reason, r.detail
       from jsonb_to_recordset($2::jsonb) as r(seq int, external_id text, reason text, detail text)
     on conflict (run_id, seq) do nothing`,
    // What a directory sent may hold text PostgreSQL refuses; the run must still finish.
    [runId, JSON.stringify(entries.map((e, i) => ({ seq: i + 1, external_id: nullable(e.externalId), reason: storableText(e.reason), detail: nullable(e.detail) })))],
  );
}

/** A run's skipped entries in order, `limit` of them after `afterSeq`. */
export async function listSkippedEntries(q: Queryable, runId: string, options: { afterSeq?: number | undefined; limit: number }): Promise<SkippedEntryView[]> {
  const r = await q.query<{ seq: number; external_id: string | null; reason: string; detail: string | null }>(
    `select seq, external_id, reason, detail from sync_run_skipped where run_id = $1 and seq > $2 order by seq limit $3`,
    [runId, options.afterSeq ?? 0, options.limit],
  );
  return r.rows.map((row) => ({ seq: row.seq, externalId: row.external_id, reason: row.reason, detail: row.detail }));
}

function nullable(text: string | undefined): string | null {
  return text === undefined ? null : storableText(text);
}
