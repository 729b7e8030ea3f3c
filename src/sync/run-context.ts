import type { Logger } from 'pino';
import type { Ingest } from '../ingest/ingest.js';
import type { Db } from '../store/db.js';
import type { SourceRecords } from '../store/observed/source-records.js';
import type { RunReport } from './run-report.js';
import type { Staging } from '../store/runs/staging.js';

/** What every step of one sync run works with. */
export interface RunContext {
  readonly db: Db;
  readonly ingest: Ingest;
  readonly sourceId: string;
  /** Recorded with every change the run makes, e.g. `corp: full sync`. */
  readonly cause: string;
  readonly observed: SourceRecords;
  /** Where the run's diff waits for the verdict. */
  readonly staging: Staging;
  readonly report: RunReport;
  readonly logger?: Logger | undefined;
}
