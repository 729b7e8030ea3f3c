/**
 * What is known of each source's runs and requests, for its health (`domain/source-health.ts`):
 * `sources.last_activity_at` (a pushed source's latest request) and a summary of its sync runs.
 * Dry runs change nothing and say nothing about a source's health, so they are left out.
 */
import type { SourceFacts } from '../../domain/source-health.js';
import type { Queryable } from '../db.js';

/**
 * Records that `sourceId` sent a request at `at`. The stored time only moves forward, so processes
 * whose writes arrive out of order never set it back.
 */
export async function touchSourceActivity(q: Queryable, sourceId: string, at: Date): Promise<void> {
  await q.query(`update sources set last_activity_at = $2 where id = $1 and (last_activity_at is null or last_activity_at < $2)`, [sourceId, at]);
}

interface FactsRow {
  id: string;
  registered_at: Date;
  last_activity_at: Date | null;
  last_success_at: Date | null;
  last_status: 'succeeded' | 'failed' | 'blocked' | null;
  last_error: string | null;
  streak_runs: number | null;
  streak_since: Date | null;
}

/**
 * The facts of every registered source, by id. Each lookup walks `sync_runs_source` (source,
 * created_at desc) from the newest run: the latest success, the latest finished run, the latest
 * finished run that ended otherwise (where the current streak starts), and the streak itself.
 */
export async function sourceFacts(q: Queryable): Promise<Map<string, SourceFacts>> {
  const r = await q.query<FactsRow>(
    `select s.id, s.created_at as registered_at, s.last_activity_at,
            ok.finished_at as last_success_at, last.status as last_status, last.error as last_error,
            streak.runs as streak_runs, streak.since as streak_since
       from sources s
       left join lateral (
         select finished_at from sync_runs
          where source_id = s.id and status = 'succeeded' and not dry_run
          order by created_at desc limit 1) ok on true
       left join lateral (
         select status, error from sync_runs
          where source_id = s.id and status in ('succeeded', 'failed', 'blocked') and not dry_run
          order by created_at desc limit 1) last on true
       left join lateral (
         select created_at from sync_runs
          where source_id = s.id and status in ('succeeded', 'failed', 'blocked') and status <> last.status and not dry_run
          order by created_at desc limit 1) other on true
       left join lateral (
         select count(*)::int as runs, min(finished_at) as since from sync_runs
          where source_id = s.id and status = last.status and not dry_run
            and created_at > coalesce(other.created_at, '-infinity'::timestamptz)) streak on last.status is not null`,
  );
  const facts = new Map<string, SourceFacts>();
  for (const row of r.rows) {
    facts.set(row.id, {
      registeredAt: row.registered_at,
      lastSuccessAt: row.last_success_at,
      lastActivityAt: row.last_activity_at,
      streak:
        row.last_status && row.streak_since
          ? { status: row.last_status, runs: row.streak_runs ?? 1, since: row.streak_since, error: row.last_error }
          : null,
    });
  }
  return facts;
}
