/**
 * Sync runs (`sync_runs`): one row per run of a pulled source, from queued through running (with
 * its progress and heartbeat) to its end. A unique index admits one queued-or-running run per
 * source across all processes.
 */
import type { ConnectorNotice } from '../../connector/connector.js';
import { IdsyncError } from '../../errors.js';
import { sqlState, type Db, type Queryable } from '../db.js';
import { parkEveryone } from '../pending-changes.js';
import { insertSkippedEntries, type SkippedEntryRow } from './skipped-entries.js';

export type RunMode = 'full' | 'delta';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'blocked';

export interface RunCounts {
  seen: number;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  skipped: number;
}

export const emptyCounts = (): RunCounts => ({ seen: 0, created: 0, updated: 0, deleted: 0, unchanged: 0, skipped: 0 });

export interface SyncRunView {
  id: string;
  sourceId: string;
  mode: RunMode;
  status: RunStatus;
  dryRun: boolean;
  trigger: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  counts: RunCounts;
  /** Skipped entries by reason, e.g. `{"no-email": 3}`. */
  skippedReasons: Record<string, number>;
  error: { message: string } | null;
  /** What the run could not do that an operator must know about (it may still have succeeded). */
  notices: ConnectorNotice[];
  /** Phase, throttling waits, deletion numbers of a blocked run, … */
  detail: Record<string, unknown> | null;
}

/**
 * A run of this source is already queued or running: `createRun` raises it when the unique index
 * refuses a second run (an `IdsyncError` defined where it is raised, so the store imports nothing
 * of the engine).
 */
export class RunInProgressError extends IdsyncError<'run_in_progress'> {
  constructor(sourceId: string) {
    super('run_in_progress', `a sync run of source "${sourceId}" is already queued or running`);
  }
}

interface RunRow {
  id: string;
  source_id: string;
  mode: RunMode;
  status: RunStatus;
  dry_run: boolean;
  trigger: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  counts: Partial<RunCounts>;
  skipped: Record<string, number>;
  error: string | null;
  notices: ConnectorNotice[] | null;
  detail: Record<string, unknown> | null;
}

function view(r: RunRow): SyncRunView {
  return {
    id: r.id,
    sourceId: r.source_id,
    mode: r.mode,
    status: r.status,
    dryRun: r.dry_run,
    trigger: r.trigger,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    counts: { ...emptyCounts(), ...r.counts },
    skippedReasons: r.skipped ?? {},
    error: r.error ? { message: r.error } : null,
    notices: r.notices ?? [],
    detail: r.detail,
  };
}

/** Records a queued run; throws `RunInProgressError` when the source has one queued or running. */
export async function createRun(q: Queryable, run: { sourceId: string; mode: RunMode; dryRun: boolean; trigger: string }): Promise<SyncRunView> {
  try {
    const r = await q.query<RunRow>(
      `insert into sync_runs (source_id, mode, status, dry_run, trigger) values ($1, $2, 'queued', $3, $4) returning *`,
      [run.sourceId, run.mode, run.dryRun, run.trigger],
    );
    return view(r.rows[0] as RunRow);
  } catch (error) {
    if (sqlState(error) === '23505') throw new RunInProgressError(run.sourceId);
    throw error;
  }
}

export async function getRun(q: Queryable, id: string): Promise<SyncRunView | undefined> {
  const r = await q.query<RunRow>('select * from sync_runs where id = $1', [id]);
  return r.rows[0] ? view(r.rows[0]) : undefined;
}

/** queued → running. Returns false when the run is not queued any more (cancelled or taken). */
export async function claimRun(q: Queryable, id: string, mode: RunMode): Promise<boolean> {
  const r = await q.query(
    `update sync_runs set status = 'running', mode = $2, started_at = now(), heartbeat_at = now() where id = $1 and status = 'queued'`,
    [id, mode],
  );
  return r.rowCount === 1;
}

export async function reportProgress(q: Queryable, id: string, counts: RunCounts, detail: Record<string, unknown>): Promise<void> {
  await q.query(`update sync_runs set counts = $2::jsonb, detail = $3::jsonb, heartbeat_at = now() where id = $1 and status = 'running'`, [
    id,
    JSON.stringify(counts),
    JSON.stringify(detail),
  ]);
}

export async function finishRun(
  q: Queryable,
  id: string,
  end: {
    status: 'succeeded' | 'failed' | 'blocked';
    counts: RunCounts;
    skippedReasons: Record<string, number>;
    /** Written with the run, for `GET /sources/{id}/runs/{runId}/skipped`. */
    skippedEntries?: readonly SkippedEntryRow[] | undefined;
    error?: string | undefined;
    notices?: readonly ConnectorNotice[] | undefined;
    detail: Record<string, unknown>;
    cursor?: string | undefined;
  },
): Promise<void> {
  await insertSkippedEntries(q, id, end.skippedEntries ?? []);
  await q.query(
    `update sync_runs set status = $2, counts = $3::jsonb, skipped = $4::jsonb, error = $5, detail = $6::jsonb, cursor = $7, notices = $8::jsonb,
            finished_at = now(), heartbeat_at = now()
      where id = $1`,
    [id, end.status, JSON.stringify(end.counts), JSON.stringify(end.skippedReasons), end.error ?? null, JSON.stringify(end.detail), end.cursor ?? null, JSON.stringify(end.notices ?? [])],
  );
}

export async function listRuns(q: Queryable, sourceId: string, options: { limit: number; before?: string | undefined }): Promise<SyncRunView[]> {
  const r = await q.query<RunRow>(
    `select * from sync_runs where source_id = $1
        and ($2::timestamptz is null or created_at < $2)
      order by created_at desc limit $3`,
    [sourceId, options.before ?? null, options.limit],
  );
  return r.rows.map(view);
}

/**
 * Runs whose worker stopped without finishing them (no heartbeat for `staleMs`) become failed. What
 * such a run wrote may never have been published (a direct run publishes its users at its end, a
 * staged one as it applies), and the next run finds it unchanged: so every person of the run's
 * source is reconciled again, through changes parked in the same transaction.
 */
export async function failAbandonedRuns(db: Db, staleMs: number): Promise<number> {
  return db.transaction(async (tx) => {
    const failed = await tx.query<{ source_id: string }>(
      `update sync_runs set status = 'failed', finished_at = now(),
              error = 'source "' || source_id || '": abandoned: the worker running it stopped before it finished; nothing was applied after that point'
        where status = 'running' and heartbeat_at < now() - make_interval(secs => $1::double precision / 1000)
        returning source_id`,
      [staleMs],
    );
    for (const sourceId of new Set(failed.rows.map((r) => r.source_id))) {
      await parkEveryone(tx, `recovery: a sync run of ${sourceId} stopped before it finished`, { sourceId });
    }
    return failed.rowCount;
  });
}

/**
 * Runs still queued become failed: their jobs went with Redis's data, so none would ever start, and
 * a queued run keeps its source from taking another. Nothing of them was applied.
 */
export async function failQueuedRuns(db: Db): Promise<number> {
  const r = await db.query(
    `update sync_runs set status = 'failed', finished_at = now(),
            error = 'source "' || source_id || '": lost: Redis lost the queue data before the run started; nothing was applied, trigger it again'
      where status = 'queued'`,
  );
  return r.rowCount;
}

/** A delta run whose cursor expired goes on as a full run: its row says so. */
export async function markRunFull(q: Queryable, id: string): Promise<void> {
  await q.query(`update sync_runs set mode = 'full' where id = $1`, [id]);
}
