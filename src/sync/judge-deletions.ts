import { deletionLimit } from './max-deletes.js';
import type { RunContext } from './run-context.js';
import type { RunStrategy } from './run-strategy.js';
import type { RunMode } from '../store/runs/sync-runs.js';
import type { SeenEntries } from './seen-entries.js';
import { stageUnseen } from './stage-unseen.js';

export interface JudgeOptions {
  mode: RunMode;
  /** A count, or a percentage of the source's live users. */
  maxDeletes: number | string;
  /** Apply even when the deletions exceed `maxDeletes`. */
  allowDeletes: boolean | undefined;
  strategy: RunStrategy;
  seen: SeenEntries;
}

/**
 * On full runs, stages the removal of whatever observed state holds that the directory no longer
 * listed; then counts the run's deletions and judges them against `maxDeletes`. Returns why the
 * run is blocked, or `undefined` when it may go on.
 */
export async function judgeDeletions(run: RunContext, o: JudgeOptions): Promise<string | undefined> {
  const { observed, staging, report, sourceId } = run;
  const liveUsers = await observed.liveCount('user');
  if (o.mode === 'full') {
    await o.strategy.stageUnseenUsers(liveUsers);
    await stageUnseen(run, o.seen, 'group', await observed.liveCount('group'));
  }
  const users = await staging.count('remove-user');
  report.counts.deleted = users;
  const limit = deletionLimit(o.maxDeletes, liveUsers);
  report.detail['deletions'] = { users, groups: await staging.count('remove-group'), limit, liveUsers };
  if (users <= limit || o.allowDeletes) return undefined;
  return `source "${sourceId}": the run would delete ${users} of ${liveUsers} users, more than maxDeletes (${o.maxDeletes} = ${limit}); nothing was applied. Re-run with allowDeletes to apply it.`;
}
