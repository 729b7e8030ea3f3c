import { membersHash } from '../ingest/ingest.js';
import type { SkippedEntry, SourceGroup, SourceUser } from '../connector/connector.js';
import type { Completed } from './complete-patches.js';
import { diffGroups, type FreshGroup } from './group-diff.js';
import type { RecordKind } from '../store/observed/source-records.js';
import { recordId } from './record-ids.js';
import type { RunContext } from './run-context.js';
import type { RunStrategy } from './run-strategy.js';
import type { DuplicateReason, SeenEntries } from './seen-entries.js';
import { toGroupRecord, userContent, type UserContent } from './to-records.js';

/** Why a repeated entry was skipped, in words (the reason names it; the detail says which entry won). */
const DUPLICATE_DETAIL: Record<DuplicateReason, string> = {
  'duplicate-entry': 'an earlier entry of this listing has the same external id',
  'duplicate-username': 'an earlier entry of this listing has the same userName',
  'duplicate-email': 'an earlier entry of this listing has the same e-mail address',
};

/**
 * Diffs a run's entries, whether a listing's pages or a delta round's final entries: repeated
 * ones are skipped, groups are compared with observed state, and what remains goes to the run's
 * strategy; removals are staged.
 */
export class EntryDiff {
  /** Groups whose members are unchanged but whose stored member hash is not current: [id, hash]. */
  readonly staleMemberHashes: Array<[string, string]> = [];

  constructor(
    private readonly run: RunContext,
    private readonly seen: SeenEntries,
    private readonly strategy: RunStrategy,
  ) {}

  async users(users: readonly SourceUser[]): Promise<void> {
    const { report } = this.run;
    const accepted: UserContent[] = [];
    for (const u of users) {
      report.counts.seen++;
      const duplicate = this.seen.admitUser(u);
      if (duplicate) report.skip({ externalId: u.externalId, reason: duplicate, detail: DUPLICATE_DETAIL[duplicate] });
      else accepted.push(userContent(u));
    }
    if (accepted.length > 0) await this.strategy.acceptUsers(accepted);
  }

  async groups(groups: readonly SourceGroup[]): Promise<void> {
    const fresh: FreshGroup[] = [];
    for (const g of groups) {
      const record = toGroupRecord(this.run.sourceId, g);
      if (!this.seen.admitGroup(record.id)) continue;
      const members = g.memberExternalIds;
      fresh.push({ record, members, membersHash: members && membersHash(members) });
    }
    if (fresh.length === 0) return;
    const diff = await diffGroups(this.run.observed, this.run.sourceId, fresh);
    this.seen.live.group += diff.live;
    for (const stale of diff.staleMemberHashes) this.staleMemberHashes.push(stale);
    await this.strategy.acceptGroups(diff.changed);
  }

  /** Stages the removal of the entries (by external id) that observed state holds live. */
  async removals(kind: RecordKind, externalIds: readonly string[]): Promise<void> {
    if (externalIds.length === 0) return;
    const live = await this.run.observed.liveIds(kind, externalIds.map((e) => recordId(this.run.sourceId, kind, e)));
    await this.run.staging.add(kind === 'user' ? 'remove-user' : 'remove-group', live);
  }

  /** The whole records of partial ones; those that could not be merged are skipped, by reason, and logged by id. */
  completed<T>(merged: Completed<T>): T[] {
    this.skipped(merged.skipped);
    return merged.records;
  }

  skipped(entries: Iterable<SkippedEntry>): void {
    for (const s of entries) this.run.report.skipEntry(s);
  }
}
