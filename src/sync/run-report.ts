import type { Logger } from 'pino';
import type { ConnectorNotice, SkippedEntry, ThrottleEvent } from '../connector/connector.js';
import { ConnectorError } from '../connector/errors.js';
import { emptyCounts, type RunCounts, type RunMode } from '../store/runs/sync-runs.js';

export interface SyncProgress {
  phase: 'reading' | 'judging' | 'applying' | 'done';
  counts: RunCounts;
  /** Entries read per second so far. */
  rate: number;
}

export interface SyncOutcome {
  status: 'succeeded' | 'failed' | 'blocked';
  mode: RunMode;
  counts: RunCounts;
  skippedReasons: Record<string, number>;
  /** The first `MAX_LISTED_SKIPS` skipped entries, in the order met, each with its reason. */
  skippedEntries: SkippedEntry[];
  /** The cursor to save (only when the run succeeded and was not a dry run). */
  cursor: string | undefined;
  error: string | undefined;
  /** The `code` of the error that failed the run, when it had one. */
  errorCode?: string | undefined;
  /** What the connector could not see (each once), whatever the status. */
  notices: ConnectorNotice[];
  detail: Record<string, unknown>;
}

export interface RunReportOptions {
  sourceId: string;
  /** The mode the run has (a delta may have become a full run). */
  mode: RunMode;
  requestedMode: RunMode;
  logger?: Logger | undefined;
  onProgress?: ((progress: SyncProgress) => void) | undefined;
}

/**
 * Skipped entries a run keeps to list (`GET /sources/{id}/runs/{runId}/skipped`); past these only
 * the counts grow, so a directory that fails every entry does not fill the store.
 */
export const MAX_LISTED_SKIPS = 1000;

/**
 * What a run has to say for itself as it goes: counts, skipped entries by reason, the connector's
 * notices (each once), throttling waits and other detail — reported as progress, and finally as
 * the run's outcome.
 */
export class RunReport {
  readonly counts: RunCounts = emptyCounts();
  readonly skippedReasons: Record<string, number> = {};
  readonly skippedEntries: SkippedEntry[] = [];
  readonly notices: ConnectorNotice[] = [];
  readonly #throttle = { waits: 0, waitedMs: 0 };
  /** Phase detail for the run record: requested mode, throttling, direct, deletions, dry run. */
  readonly detail: Record<string, unknown>;
  readonly #started = Date.now();

  constructor(private readonly o: RunReportOptions) {
    this.detail = { requestedMode: o.requestedMode, throttle: this.#throttle };
  }

  /** An entry the run could not take: counted by reason, and kept to list while there are few. */
  skip(s: SkippedEntry): void {
    this.skippedReasons[s.reason] = (this.skippedReasons[s.reason] ?? 0) + 1;
    this.counts.skipped++;
    if (this.skippedEntries.length < MAX_LISTED_SKIPS) this.skippedEntries.push({ externalId: s.externalId, reason: s.reason, detail: s.detail });
  }

  /** A partial record the run could not complete: skipped, and logged by id. */
  skipEntry(s: SkippedEntry): void {
    this.skip(s);
    this.o.logger?.info({ source: this.o.sourceId, externalId: s.externalId, reason: s.reason }, s.detail ?? 'partial delta record skipped');
  }

  notice(n: ConnectorNotice): void {
    if (this.notices.some((k) => k.code === n.code && k.message === n.message)) return;
    this.notices.push({ code: n.code, message: n.message });
    this.o.logger?.warn({ source: this.o.sourceId, notice: n.code }, n.message);
  }

  throttled(e: ThrottleEvent): void {
    this.#throttle.waits++;
    this.#throttle.waitedMs += e.waitMs;
    this.o.logger?.info({ source: this.o.sourceId, waitMs: e.waitMs, reason: e.reason, attempt: e.attempt }, 'directory throttled the sync; waiting');
  }

  progress(phase: SyncProgress['phase']): void {
    const seconds = Math.max(0.001, (Date.now() - this.#started) / 1000);
    this.o.onProgress?.({ phase, counts: { ...this.counts }, rate: Math.round(this.counts.seen / seconds) });
  }

  succeeded(cursor: string | undefined): SyncOutcome {
    this.progress('done');
    return this.#outcome('succeeded', cursor, undefined);
  }

  /** A dry run ends judged, before anything is applied, and saves no cursor. */
  succeededDry(): SyncOutcome {
    this.detail['dryRun'] = true;
    this.progress('done');
    return this.#outcome('succeeded', undefined, undefined);
  }

  blocked(error: string): SyncOutcome {
    return this.#outcome('blocked', undefined, error);
  }

  failed(error: unknown): SyncOutcome {
    const errorCode = error instanceof ConnectorError ? error.code : undefined;
    return this.#outcome('failed', undefined, describeFailure(this.o.sourceId, error), { errorCode });
  }

  #outcome(status: SyncOutcome['status'], cursor: string | undefined, error: string | undefined, code?: { errorCode: string | undefined }): SyncOutcome {
    const { counts, skippedReasons, skippedEntries, notices, detail } = this;
    return { status, mode: this.o.mode, counts, skippedReasons, skippedEntries, cursor, error, ...code, notices, detail };
  }
}

function describeFailure(sourceId: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ConnectorError) return message.includes(sourceId) ? message : `source "${sourceId}": ${message}`;
  return `source "${sourceId}": ${message}`;
}
