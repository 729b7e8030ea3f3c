import type { Logger } from 'pino';
import type { Connector } from '../connector/connector.js';
import type { Ingest } from '../ingest/ingest.js';
import type { Db } from '../store/db.js';
import { SourceRecords } from '../store/observed/source-records.js';
import { Staging } from '../store/runs/staging.js';
import type { RunMode } from '../store/runs/sync-runs.js';
import { applyStaged } from './apply-staged.js';
import { DirectRun } from './direct-run.js';
import { EntryDiff } from './entry-diff.js';
import { judgeDeletions } from './judge-deletions.js';
import { DeltaRoundDiff, ListingDiff, type PageDiff } from './page-diff.js';
import { listingOf, readPages, type Listing } from './read-pages.js';
import type { RunContext } from './run-context.js';
import { RunReport, type SyncOutcome, type SyncProgress } from './run-report.js';
import type { RunStrategy } from './run-strategy.js';
import { SeenEntries } from './seen-entries.js';
import { StagedRun } from './staged-run.js';

export type { SyncOutcome, SyncProgress } from './run-report.js';

export interface SyncSource {
  id: string;
  /** A count, or a percentage of the source's live users. */
  maxDeletes: number | string;
}

export interface RunSyncOptions {
  db: Db;
  ingest: Ingest;
  connector: Connector;
  source: SyncSource;
  runId: string;
  mode: RunMode;
  /** The cursor of the last successful run; a delta needs one. */
  cursor: string | undefined;
  dryRun?: boolean;
  /** Apply even when the deletions exceed `maxDeletes`. */
  allowDeletes?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  logger?: Logger;
}

/**
 * One sync run: read the connector's pages, diff them by content hash against observed state and
 * stage what changed; on full runs find what was not seen (deletions); judge the whole diff
 * (deletion threshold, dry run); only then apply it through ingest. A failure at any point leaves
 * observed state as it was before the apply phase and saves no cursor. (A first full run of an
 * empty source writes as it reads instead: see `DirectRun`.)
 */
export async function runSync(options: RunSyncOptions): Promise<SyncOutcome> {
  const { db, source } = options;
  const listing = listingOf(options.connector, options.mode, options.cursor);
  const report = new RunReport({ sourceId: source.id, mode: listing.mode, requestedMode: options.mode, logger: options.logger, onProgress: options.onProgress });
  const staging = new Staging(db, options.runId);
  const observed = new SourceRecords(db, source.id);
  const run: RunContext = { db, ingest: options.ingest, sourceId: source.id, cause: `${source.id}: ${listing.mode} sync run ${options.runId}`, observed, staging, report, logger: options.logger };
  const seen = new SeenEntries(options.connector.uniqueEmails !== true);
  let strategy: RunStrategy | undefined;
  try {
    strategy = await strategyFor(run, seen, listing.mode, options);
    report.detail['direct'] = strategy.direct;
    const entries = new EntryDiff(run, seen, strategy);
    const diff: PageDiff = listing.mode === 'delta' ? new DeltaRoundDiff(run, entries) : new ListingDiff(run, entries);
    const cursor = await readAndDiff(run, listing, diff, options.signal);
    await strategy.endReading();

    report.progress('judging');
    const blocked = await judgeDeletions(run, { mode: listing.mode, maxDeletes: source.maxDeletes, allowDeletes: options.allowDeletes, strategy, seen });
    if (blocked !== undefined) return report.blocked(blocked);
    await strategy.beforeApply();
    if (options.dryRun) return report.succeededDry();

    report.progress('applying');
    await applyStaged(run, entries.staleMemberHashes);
    await strategy.afterApply();
    return report.succeeded(cursor);
  } catch (error) {
    await strategy?.abandon();
    return report.failed(error);
  } finally {
    // Staged rows of a run are never read again: a failure to clear them must not change its outcome.
    await staging.clear().catch(() => {});
  }
}

/**
 * A first full run of an empty source can delete nothing, so nothing can block it: it writes
 * users as it reads them (no staging), and reconciliation starts while the directory is read.
 */
async function strategyFor(run: RunContext, seen: SeenEntries, mode: RunMode, options: RunSyncOptions): Promise<RunStrategy> {
  const direct = mode === 'full' && !options.dryRun && (await run.observed.liveCount('user')) === 0;
  return direct ? new DirectRun(run, options.signal) : new StagedRun(run, seen);
}

/** Reads the listing to its end and diffs it; returns the cursor its last page carried. */
async function readAndDiff(run: RunContext, listing: Listing, diff: PageDiff, signal: AbortSignal | undefined): Promise<string | undefined> {
  let cursor: string | undefined;
  run.report.progress('reading');
  for await (const page of readPages(listing, run.report, signal)) {
    await diff.page(page);
    if (page.memberChanges?.length) await run.staging.add('members', page.memberChanges);
    if (page.cursor !== undefined) cursor = page.cursor;
    run.report.progress('reading');
  }
  await diff.end();
  return cursor;
}
