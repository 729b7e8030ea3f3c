import type { Queryable } from '../db.js';

/** The id of each source's newest sync run (by creation), by source id. */
export async function latestRunIds(q: Queryable): Promise<Map<string, string>> {
  const last = await q.query<{ source_id: string; id: string }>(`select distinct on (source_id) source_id, id from sync_runs order by source_id, created_at desc`);
  return new Map(last.rows.map((r) => [r.source_id, r.id]));
}

/** A registered source with its newest sync run (the run's fields null when it never ran). */
export interface SourceLatestRunRow {
  source_id: string;
  kind: string;
  id: string | null;
  mode: string | null;
  status: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
  counts: unknown;
}

/** Every registered source with its newest sync run, ordered by source id. */
export async function sourcesWithLatestRun(q: Queryable): Promise<SourceLatestRunRow[]> {
  const runs = await q.query<SourceLatestRunRow>(
    `select s.id as source_id, s.kind, r.id, r.mode, r.status, r.started_at, r.finished_at, r.error, r.counts
       from sources s left join lateral (
         select * from sync_runs where source_id = s.id order by created_at desc limit 1) r on true
      order by s.id`,
  );
  return runs.rows;
}
