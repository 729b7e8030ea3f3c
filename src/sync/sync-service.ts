import { UnrecoverableError, Worker, type Queue } from 'bullmq';
import type { RedisConnection } from '../queue/redis.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Env } from '../config/env.js';
import type { Config } from '../config/schema.js';
import { parseInterval } from '../domain/duration.js';
import { IdsyncError } from '../errors.js';
import type { Ingest } from '../ingest/ingest.js';
import type { Db } from '../store/db.js';
import { savedCursor, saveCursor } from '../store/runs/source-cursors.js';
import { claimRun, createRun, emptyCounts, failAbandonedRuns, finishRun, getRun, markRunFull, reportProgress, RunInProgressError, type RunCounts, type RunMode, type SyncRunView } from '../store/runs/sync-runs.js';
import { createConnector, isPulled, type ConnectorFactory, type PulledSourceConfig } from './connectors.js';
import { BULK_READ_GROWING_PERCENT, duringBulkWork } from '../runtime/heap.js';
import { runSync, type SyncProgress } from './run-sync.js';

export const syncJobSchema = z.object({
  sourceId: z.string(),
  mode: z.enum(['full', 'delta']),
  /** Set for runs triggered by hand (the run row exists already); absent for scheduled ones. */
  runId: z.uuid().optional(),
  dryRun: z.boolean().default(false),
  allowDeletes: z.boolean().default(false),
});
export type SyncJob = z.input<typeof syncJobSchema>;

/** A source that is unknown, or pushed to (SCIM, CSV) rather than pulled. */
export class NotSyncableError extends IdsyncError<'not_found' | 'not_syncable'> {
  constructor(sourceId: string, known: boolean) {
    super(known ? 'not_syncable' : 'not_found', known ? `source "${sourceId}" is pushed to (SCIM or CSV): there is nothing to pull` : `unknown source "${sourceId}"`);
  }
}

const PROGRESS_EVERY_MS = 1000;
const STALE_RUN_MS = 120_000;

export interface SyncServiceOptions {
  db: Db;
  ingest: Ingest;
  config: Config;
  env: Env;
  queue: Queue;
  logger: Logger;
  connectorFactory?: ConnectorFactory;
  /** Told of every run this process finished (metrics). */
  onRunFinished?: (run: FinishedRun) => void;
}

/** A run this process finished: what the metrics count. */
export interface FinishedRun {
  sourceId: string;
  mode: RunMode;
  status: 'succeeded' | 'failed' | 'blocked';
  dryRun: boolean;
  durationMs: number;
  counts: RunCounts;
}

/**
 * Triggers, schedules and executes sync runs. One run per source at a time across all processes:
 * the database admits one queued-or-running run per source, and a run's heartbeat tells abandoned
 * runs (their worker died) from live ones.
 */
export class SyncService {
  readonly #o: SyncServiceOptions;
  readonly #active = new Map<string, AbortController>();

  constructor(options: SyncServiceOptions) {
    this.#o = options;
  }

  source(sourceId: string): PulledSourceConfig {
    const source = this.#o.config.sources.find((s) => s.id === sourceId);
    if (!source || !isPulled(source)) throw new NotSyncableError(sourceId, source !== undefined);
    return source;
  }

  /** Records a queued run and enqueues it. Throws `RunInProgressError` (409) while one is queued or running. */
  async trigger(sourceId: string, request: { mode: RunMode; dryRun?: boolean; allowDeletes?: boolean; trigger?: string }): Promise<SyncRunView> {
    this.source(sourceId);
    const run = await createRun(this.#o.db, { sourceId, mode: request.mode, dryRun: request.dryRun ?? false, trigger: request.trigger ?? 'manual' });
    try {
      const job: SyncJob = { sourceId, mode: request.mode, runId: run.id, dryRun: request.dryRun ?? false, allowDeletes: request.allowDeletes ?? false };
      await this.#o.queue.add('run', job, { jobId: run.id, attempts: 1, removeOnComplete: { count: 500 }, removeOnFail: { count: 1000 } });
    } catch (error) {
      await finishRun(this.#o.db, run.id, { status: 'failed', counts: run.counts, skippedReasons: {}, error: `source "${sourceId}": could not queue the run: ${(error as Error).message}`, detail: {} });
      throw error;
    }
    return run;
  }

  /**
   * The `sync` queue's processor. Scheduled jobs create their run here; a source already running is
   * skipped. A sync run is bulk work: its reading, diffing and writes run with the heap kept near its
   * live size (runtime/heap.ts).
   */
  execute(data: unknown): Promise<SyncRunView | { skipped: string }> {
    return duringBulkWork(() => this.#execute(data), BULK_READ_GROWING_PERCENT);
  }

  async #execute(data: unknown): Promise<SyncRunView | { skipped: string }> {
    const parsed = syncJobSchema.safeParse(data);
    if (!parsed.success) throw new UnrecoverableError(`invalid sync job: ${parsed.error.message}`);
    const job = parsed.data;
    const source = this.source(job.sourceId);
    let runId = job.runId;
    if (!runId) {
      try {
        runId = (await createRun(this.#o.db, { sourceId: source.id, mode: job.mode, dryRun: job.dryRun, trigger: 'schedule' })).id;
      } catch (error) {
        if (error instanceof RunInProgressError) return { skipped: error.message };
        throw error;
      }
    }
    const cursor = await savedCursor(this.#o.db, source.id);
    const connector = await (this.#o.connectorFactory ?? createConnector)(source, { env: this.#o.env });
    const mode: RunMode = job.mode === 'delta' && connector.delta && cursor ? 'delta' : 'full';
    if (!(await claimRun(this.#o.db, runId, mode))) {
      await connector.close?.();
      const current = await getRun(this.#o.db, runId);
      return { skipped: `run ${runId} is ${current?.status ?? 'gone'}` };
    }
    const started = Date.now();
    const abort = new AbortController();
    this.#active.set(runId, abort);
    const log = this.#o.logger.child({ source: source.id, run: runId });
    log.info({ mode, dryRun: job.dryRun }, 'sync run started');
    // The run row carries the latest progress and a heartbeat, written once a second.
    let latest: SyncProgress | undefined;
    const onProgress = (p: SyncProgress) => {
      latest = p;
    };
    let reporting = Promise.resolve();
    const heartbeat = setInterval(() => {
      const p = latest;
      reporting = reporting
        .then(() => reportProgress(this.#o.db, runId, p?.counts ?? emptyCounts(), { phase: p?.phase ?? 'starting', rate: p?.rate ?? 0 }))
        // A missed progress report is made good a second later, and the run's end is written apart.
        .catch(() => {});
    }, PROGRESS_EVERY_MS);
    try {
      const attempt = (runMode: RunMode, runCursor: string | undefined) =>
        runSync({
          db: this.#o.db,
          ingest: this.#o.ingest,
          connector,
          source: { id: source.id, maxDeletes: source.maxDeletes },
          runId,
          mode: runMode,
          cursor: runCursor,
          dryRun: job.dryRun,
          allowDeletes: job.allowDeletes,
          signal: abort.signal,
          onProgress,
          logger: log,
        });
      let outcome = await attempt(mode, cursor);
      if (outcome.status === 'failed' && outcome.errorCode === 'connector_cursor_expired' && mode === 'delta') {
        // An expired delta cursor (Graph keeps them for a limited time) would fail every delta
        // from now on: this run becomes a full one, which deletes only under the usual safety.
        log.warn({ error: outcome.error }, 'delta cursor expired; running a full sync instead');
        await markRunFull(this.#o.db, runId);
        outcome = await attempt('full', undefined);
        outcome.detail['fallback'] = 'the delta cursor had expired; ran a full sync';
      }
      clearInterval(heartbeat);
      await reporting;
      if (outcome.status === 'succeeded' && outcome.cursor !== undefined && !job.dryRun) await saveCursor(this.#o.db, source.id, outcome.cursor, runId);
      await finishRun(this.#o.db, runId, { ...outcome });
      this.#o.onRunFinished?.({ sourceId: source.id, mode: outcome.mode, status: outcome.status, dryRun: job.dryRun, durationMs: Date.now() - started, counts: outcome.counts });
      const level = outcome.status === 'succeeded' && outcome.notices.length === 0 ? 'info' : 'warn';
      log[level]({ status: outcome.status, counts: outcome.counts, skipped: outcome.skippedReasons, notices: outcome.notices, error: outcome.error }, 'sync run finished');
      return (await getRun(this.#o.db, runId)) as SyncRunView;
    } finally {
      clearInterval(heartbeat);
      this.#active.delete(runId);
      // The run's outcome is written: a connector that fails to close (a server already gone) changes none of it.
      await connector.close?.().catch(() => {});
    }
  }

  /** Stops running syncs (they end `failed`, having applied nothing unfinished). */
  abortAll(reason: string): void {
    for (const a of this.#active.values()) a.abort(new Error(reason));
  }

  /** One job scheduler per source schedule; schedulers of sources no longer configured are removed. */
  async schedule(): Promise<void> {
    const wanted = new Set<string>();
    for (const source of this.#o.config.sources) {
      if (!isPulled(source) || !source.schedule) continue;
      for (const mode of ['delta', 'full'] as const) {
        const spec = source.schedule[mode];
        if (!spec) continue;
        const id = `sync:${source.id}:${mode}`;
        wanted.add(id);
        const every = parseInterval(spec);
        await this.#o.queue.upsertJobScheduler(id, every !== undefined ? { every } : { pattern: spec }, {
          name: 'scheduled',
          data: { sourceId: source.id, mode } satisfies SyncJob,
          opts: { attempts: 1, removeOnComplete: { count: 500 }, removeOnFail: { count: 1000 } },
        });
      }
    }
    for (const s of await this.#o.queue.getJobSchedulers()) {
      if (s.key.startsWith('sync:') && !wanted.has(s.key)) await this.#o.queue.removeJobScheduler(s.key);
    }
  }

  /** Fails runs without a heartbeat for `staleMs` (default 2 min); 0 fails every running run (the embedded store at start: no other process can be running one). */
  failAbandoned(staleMs = STALE_RUN_MS): Promise<number> {
    return failAbandonedRuns(this.#o.db, staleMs);
  }

  startWorker(options: { connection: RedisConnection; prefix: string; concurrency?: number }): Worker {
    const worker = new Worker(this.#o.queue.name, (job) => this.execute(job.data), {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 2,
      lockDuration: 60_000,
    });
    worker.on('error', (error) => this.#o.logger.error({ err: error }, 'sync worker error'));
    return worker;
  }
}
