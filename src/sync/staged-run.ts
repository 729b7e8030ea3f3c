import type { GroupRecord } from '../ingest/records.js';
import type { RunContext } from './run-context.js';
import type { RunStrategy } from './run-strategy.js';
import type { SeenEntries } from './seen-entries.js';
import { stageUnseen } from './stage-unseen.js';
import type { UserContent } from './to-records.js';
import { UserComparisons, type Comparison } from './user-comparisons.js';

/** Records created, updated and deleted from which a run refreshes the tables' statistics. */
const ANALYZE_AFTER = 10_000;

/**
 * A run over observed state: users are compared with it by content hash while the directory is
 * read on, and what is new or changed is staged, to be applied only once the whole run has been
 * read and judged (deletion threshold, dry run).
 */
export class StagedRun implements RunStrategy {
  readonly direct = false;
  readonly #comparisons: UserComparisons;

  constructor(
    private readonly run: RunContext,
    private readonly seen: SeenEntries,
  ) {
    this.#comparisons = new UserComparisons(run.observed, run.sourceId, (c) => this.#compared(c));
  }

  acceptUsers(users: UserContent[]): Promise<void> {
    return this.#comparisons.add(users);
  }

  acceptGroups(groups: GroupRecord[]): Promise<void> {
    return this.run.staging.add('group', groups);
  }

  async endReading(): Promise<void> {
    await this.#comparisons.flush();
    await this.#comparisons.drain();
  }

  stageUnseenUsers(liveUsers: number): Promise<void> {
    return stageUnseen(this.run, this.seen, 'user', liveUsers);
  }

  async beforeApply(): Promise<void> {
    // Nothing was written yet.
  }

  async afterApply(): Promise<void> {
    // A large run changes the tables' shape faster than autovacuum re-reads their statistics; stale
    // statistics make the reconciler's plans go wrong, so refresh them now.
    const { created, updated, deleted } = this.run.report.counts;
    if (created + updated + deleted >= ANALYZE_AFTER) await this.run.observed.analyze();
  }

  async abandon(): Promise<void> {
    // Nothing of the run may still be running once it is reported; a comparison's error is dropped:
    // the run has failed already, and the failure that ended it is the one reported.
    await this.#comparisons.drain().catch(() => {});
  }

  /** A comparison's result, in reading order: counted, and its new or changed users staged. */
  async #compared({ changed, created, compared }: Comparison): Promise<void> {
    const { counts } = this.run.report;
    counts.created += created;
    counts.updated += changed.length - created;
    counts.unchanged += compared - changed.length;
    this.seen.live.user += compared - created;
    await this.run.staging.add('user', changed);
  }
}
