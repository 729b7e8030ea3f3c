import type { GroupRecord } from '../ingest/records.js';
import type { UserContent } from './to-records.js';

/**
 * Where a run's diff goes, and what it does at each step of the run. Two strategies:
 * - `DirectRun` — a first full run of an empty source writes users and groups as it reads them;
 * - `StagedRun` — every other run compares with observed state and stages what changed, which is
 *   applied only once the whole run has been read and judged.
 * The steps around them (reading pages, the deletion check, the dry run, applying the staged diff)
 * are the same for both.
 */
export interface RunStrategy {
  /** Whether the run writes as it reads (recorded in the run's detail). */
  readonly direct: boolean;
  /** Users the run accepted, in reading order, not yet compared with observed state. */
  acceptUsers(users: UserContent[]): Promise<void>;
  /** Groups that are new or changed. */
  acceptGroups(groups: GroupRecord[]): Promise<void>;
  /** The directory has been read: waits for every comparison or write still running. */
  endReading(): Promise<void>;
  /** A full run: stages the removal of the live users it did not read (`liveUsers` are live). */
  stageUnseenUsers(liveUsers: number): Promise<void>;
  /** Judged and not blocked: what must be done before the run goes on to the dry-run check and the apply. */
  beforeApply(): Promise<void>;
  /** The staged diff has been applied. */
  afterApply(): Promise<void>;
  /** The run failed: leaves nothing of it running, and nothing it wrote unpublished. Never throws. */
  abandon(): Promise<void>;
}
