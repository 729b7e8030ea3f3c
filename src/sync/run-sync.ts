import type { Logger } from 'pino';
import { membersHash, type Ingest } from '../ingest/ingest.js';
import type { ChangePublisher, GroupRecord, PersonChange, UserRecord } from '../ingest/records.js';
import type { Db } from '../store/db.js';
import type { Connector, ConnectorPage, MemberChange, SkippedEntry, SourceGroup, SourceUser, ThrottleEvent } from './connector.js';
import { completeGroupPatches, completeUserPatches, type Completed } from './complete-patches.js';
import { DeltaEntries } from './delta-entries.js';
import { APPLY_BATCH, GROUP_BATCH, USER_BATCH } from './batch-sizes.js';
import { diffGroups as compareGroups, type FreshGroup } from './group-diff.js';
import { deletionLimit } from './max-deletes.js';
import { recordId } from './record-ids.js';
import { ObservedState } from './observed-state.js';
import type { RunContext } from './run-context.js';
import { RunReport, type SyncOutcome, type SyncProgress } from './run-report.js';
import type { RunMode } from './runs.js';
import { prefetch } from './prefetch.js';
import { SeenEntries } from './seen-entries.js';
import { stageUnseen } from './stage-unseen.js';
import { Staging } from './staging.js';
import { toGroupRecord, userContent, withUserId, type UserContent } from './to-records.js';
import { UserComparisons, type Comparison } from './user-comparisons.js';
import { writeUsers as writeUsersOf } from './write-users.js';
import { WriteWindow } from './write-window.js';

const ANALYZE_AFTER = 10_000;
const PUBLISH_BATCH = 5000;
/** Writes of a direct run in flight while the directory is read further. */
const DIRECT_WRITES = 2;

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

export type { SyncOutcome, SyncProgress } from './run-report.js';

/**
 * One sync run: read the connector's pages, diff them by content hash against observed state and
 * stage what changed; on full runs find what was not seen (deletions); judge the whole diff
 * (deletion threshold, dry run); only then apply it through ingest. A failure at any point leaves
 * observed state as it was before the apply phase and saves no cursor.
 */
export async function runSync(options: RunSyncOptions): Promise<SyncOutcome> {
  const { db, ingest, connector, source } = options;
  const mode: RunMode = options.mode === 'delta' && connector.delta && options.cursor ? 'delta' : 'full';
  const report = new RunReport({ sourceId: source.id, mode, requestedMode: options.mode, logger: options.logger, onProgress: options.onProgress });
  const { counts, detail } = report;
  const staging = new Staging(db, options.runId);
  const observed = new ObservedState(db, source.id);
  const run: RunContext = { db, ingest, sourceId: source.id, cause: `${source.id}: ${mode} sync`, observed, staging, report, logger: options.logger };
  const skip = (reason: string) => report.skip(reason);
  const progress = (phase: SyncProgress['phase']) => report.progress(phase);

  const seen = new SeenEntries(connector.uniqueEmails !== true);
  /** Groups whose members are unchanged but whose stored member hash is not current: [id, hash]. */
  const staleMemberHashes: Array<[string, string]> = [];
  let cursor: string | undefined;
  let usersToDelete = 0;
  let direct = false;
  const { cause } = run;
  // A direct run publishes each person it wrote once, at its end, read back from observed state
  // (`publishWrittenUsers`), rather than once per write (a user is written, then written again as
  // a member of each of its groups) or from a change per person held in memory for the whole run.
  const publishedAtEnd: ChangePublisher = { publish: async () => {} };
  // A direct run writes only new users (the sets below keep their names and e-mails apart), so its
  // writes cannot wait on each other, and several run while the next pages are read.
  const directWrites = new WriteWindow(DIRECT_WRITES);
  /** A direct run's users not yet handed to a write (`flushDirectUsers`). */
  let directUsers: UserRecord[] = [];
  const comparisons = new UserComparisons(observed, source.id, compared);
  let directGroupsStarted = false;
  /** A direct run's users are published once: at its end, or by the failure path if it never got there. */
  let usersPublished = false;
  /** A delta run's entries, each diffed once in its latest state when the round has been read (see `DeltaEntries`). */
  const deltaEntries = mode === 'delta' ? new DeltaEntries() : undefined;

  try {
    // A first full run of an empty source can delete nothing, so nothing can block it: it writes
    // users as it reads them (no staging), and reconciliation starts while the directory is read.
    direct = mode === 'full' && !options.dryRun && (await observed.liveCount('user')) === 0;
    detail['direct'] = direct;

    // 1. Read and diff.
    progress('reading');
    const listOptions = {
      signal: options.signal,
      onThrottle: (e: ThrottleEvent) => report.throttled(e),
    };
    const pages: AsyncIterable<ConnectorPage> = mode === 'delta' ? (connector.delta as NonNullable<Connector['delta']>)({ ...listOptions, cursor: options.cursor as string }) : connector.full(listOptions);
    for await (const page of prefetch(pages)) {
      options.signal?.throwIfAborted();
      for (const s of page.skipped ?? []) skip(s.reason);
      for (const n of page.notices ?? []) report.notice(n);
      if (deltaEntries) await readDelta(deltaEntries, page);
      else await diffPage(page);
      if (page.memberChanges?.length) await staging.add('members', page.memberChanges);
      if (page.cursor !== undefined) cursor = page.cursor;
      progress('reading');
    }
    if (deltaEntries) await diffDelta(deltaEntries);
    await comparisons.flush();
    await comparisons.drain();
    await flushDirectUsers();
    await directWrites.drain();

    // 2. Deletions: on full runs, whatever observed state holds that the directory no longer listed.
    progress('judging');
    const liveUsers = await observed.liveCount('user');
    if (mode === 'full') {
      // A direct run wrote every live user of the source itself.
      if (!direct) await stageUnseen(run, seen, 'user', liveUsers);
      await stageUnseen(run, seen, 'group', await observed.liveCount('group'));
    }
    usersToDelete = await staging.count('remove-user');
    counts.deleted = usersToDelete;
    const limit = deletionLimit(source.maxDeletes, liveUsers);
    detail['deletions'] = { users: usersToDelete, groups: await staging.count('remove-group'), limit, liveUsers };
    if (usersToDelete > limit && !options.allowDeletes) {
      return report.blocked(`source "${source.id}": the run would delete ${usersToDelete} of ${liveUsers} users, more than maxDeletes (${source.maxDeletes} = ${limit}); nothing was applied. Re-run with allowDeletes to apply it.`);
    }
    if (direct) {
      // The tables were empty of this source: without statistics of what it wrote, the next run's
      // comparisons would be planned as if it had written nothing (a scan per batch, not a lookup).
      // Reconciliation does not wait for them (its lookups are planned without statistics).
      // Both settle before a failure is handled, so that the failure path never publishes while
      // (or after) this publication runs.
      const [published, analysed] = await Promise.allSettled([publishWrittenUsers(), observed.analyze()]);
      usersPublished = published.status === 'fulfilled';
      if (published.status === 'rejected') throw published.reason;
      if (analysed.status === 'rejected') throw analysed.reason;
    }
    if (options.dryRun) return report.succeededDry();

    // 3. Apply, in an order that never trips uniqueness: deletions first, then users, groups, members.
    progress('applying');
    for await (const ids of staging.read<string>('remove-user', APPLY_BATCH)) await ingest.deleteUsers(source.id, ids, { cause });
    for await (const users of staging.read<UserRecord>('user', APPLY_BATCH)) await writeUsers(users);
    for await (const groups of staging.read<GroupRecord>('group', GROUP_BATCH)) await ingest.writeGroups(source.id, groups, { cause });
    for await (const changes of staging.read<MemberChange>('members', GROUP_BATCH)) {
      for (const change of changes) {
        await ingest.changeGroupMembers(
          source.id,
          recordId(source.id, 'group', change.groupExternalId),
          { add: change.added.map((e) => recordId(source.id, 'user', e)), remove: change.removed.map((e) => recordId(source.id, 'user', e)) },
          { cause },
        );
      }
    }
    for await (const ids of staging.read<string>('remove-group', APPLY_BATCH)) await ingest.deleteGroups(source.id, ids, { cause });
    await observed.storeMembersHashes(staleMemberHashes);
    // A large run changes the tables' shape faster than autovacuum re-reads their statistics; stale
    // statistics make the reconciler's plans go wrong, so refresh them now.
    if (!direct && counts.created + counts.updated + counts.deleted >= ANALYZE_AFTER) await observed.analyze();
    return report.succeeded(cursor);
  } catch (error) {
    // What a failed direct run read it still writes (unless it was stopped); and nothing of it may
    // still be writing once it is reported.
    if (direct && !options.signal?.aborted) await flushDirectUsers().catch(() => {});
    await directWrites.drain().catch(() => {});
    await comparisons.drain().catch(() => {});
    // What a failed direct run wrote stays observed: its people are reconciled all the same. (The
    // next run is not direct, and finds them unchanged.)
    if (direct && !usersPublished) await publishWrittenUsers().catch((e: unknown) => options.logger?.warn({ source: source.id, err: { message: (e as Error).message } }, 'could not publish the users a failed run wrote'));
    return report.failed(error);
  } finally {
    await staging.clear().catch(() => {});
  }

  /** Diffs a page of a full run as it comes: a full listing names each entry once. */
  async function diffPage(page: ConnectorPage): Promise<void> {
    if (page.users?.length) await diffUsers(page.users);
    if (page.groups?.length) await diffGroups(page.groups);
    if (page.userPatches?.length) await diffUsers(completed(await completeUserPatches(db, source.id, page.userPatches)));
    if (page.groupPatches?.length) await diffGroups(completed(await completeGroupPatches(db, source.id, page.groupPatches)));
    if (page.removedUsers?.length) await stageRemovals('remove-user', 'user', page.removedUsers);
    if (page.removedGroups?.length) await stageRemovals('remove-group', 'group', page.removedGroups);
  }

  /** The whole records of a page's partial ones; those that could not be merged are skipped, by reason, and logged by id. */
  function completed<T>(merged: Completed<T>): T[] {
    for (const s of merged.skipped) skipped(s);
    return merged.records;
  }

  function skipped(s: SkippedEntry): void {
    report.skipEntry(s);
  }

  /** Takes in a delta page: its records replace, merge onto or remove what the round read before them. */
  async function readDelta(entries: DeltaEntries, page: ConnectorPage): Promise<void> {
    if (page.users?.length) entries.addUsers(page.users);
    if (page.groups?.length) entries.addGroups(page.groups);
    if (page.userPatches?.length) await entries.mergeUserPatches(db, source.id, page.userPatches);
    if (page.groupPatches?.length) await entries.mergeGroupPatches(db, source.id, page.groupPatches);
    if (page.removedUsers?.length) entries.removeUsers(page.removedUsers);
    if (page.removedGroups?.length) entries.removeGroups(page.removedGroups);
  }

  /** Diffs and stages a delta round's entries, each once, in its final state. */
  async function diffDelta(entries: DeltaEntries): Promise<void> {
    // Partial records that nothing could complete are skipped, by reason, and logged by id.
    for (const s of entries.unmerged()) skipped(s);
    const users = entries.users();
    for (let i = 0; i < users.length; i += USER_BATCH) await diffUsers(users.slice(i, i + USER_BATCH));
    const groups = entries.groups();
    for (let i = 0; i < groups.length; i += USER_BATCH) await diffGroups(groups.slice(i, i + USER_BATCH));
    await stageRemovals('remove-user', 'user', entries.removedUsers());
    await stageRemovals('remove-group', 'group', entries.removedGroups());
  }

  /** Publishes every live user of the source: a direct run wrote each of them. */
  async function publishWrittenUsers(): Promise<void> {
    const created = `${cause} (user created)`;
    for await (const rows of observed.liveEmails(PUBLISH_BATCH)) {
      const changes: PersonChange[] = [];
      for (const r of rows) if (r.email !== null) changes.push({ key: r.email, sourceId: source.id, cause: created });
      await ingest.publish(changes);
    }
  }

  /** Changed records wait in staging — or, on a direct run, are written at once (users in batches). */
  async function stage(kind: 'user' | 'group', records: ReadonlyArray<UserRecord | GroupRecord>): Promise<void> {
    if (!direct) return staging.add(kind, records);
    if (records.length === 0) return;
    if (kind === 'user') {
      for (const r of records) directUsers.push(r as UserRecord);
      if (directUsers.length >= USER_BATCH) await flushDirectUsers();
      return;
    }
    if (!directGroupsStarted) {
      // Group members name users: every user write must have committed before the first group's.
      directGroupsStarted = true;
      await flushDirectUsers();
      await directWrites.drain();
    }
    for (let i = 0; i < records.length; i += GROUP_BATCH) {
      const batch = records.slice(i, i + GROUP_BATCH) as GroupRecord[];
      await directWrites.add(async () => void (await ingest.writeGroups(source.id, batch, { cause, changes: publishedAtEnd })));
    }
  }

  async function flushDirectUsers(): Promise<void> {
    if (directUsers.length === 0) return;
    const batch = directUsers;
    directUsers = [];
    await directWrites.add(() => writeUsers(batch));
  }

  async function diffUsers(users: readonly SourceUser[]): Promise<void> {
    const accepted: UserContent[] = [];
    for (const u of users) {
      counts.seen++;
      const duplicate = seen.admitUser(u);
      if (duplicate) skip(duplicate);
      else accepted.push(userContent(u));
    }
    if (accepted.length === 0) return;
    if (direct) {
      // The source had no live users when the run began, and only this run writes them.
      counts.created += accepted.length;
      return stage('user', accepted.map((u) => withUserId(source.id, u)));
    }
    await comparisons.add(accepted);
  }

  /** A comparison's result, in reading order: counted, and its new or changed users staged. */
  async function compared({ changed, created, compared }: Comparison): Promise<void> {
    counts.created += created;
    counts.updated += changed.length - created;
    counts.unchanged += compared - changed.length;
    seen.live.user += compared - created;
    await stage('user', changed);
  }

  async function diffGroups(groups: readonly SourceGroup[]): Promise<void> {
    const fresh: FreshGroup[] = [];
    for (const g of groups) {
      const record = toGroupRecord(source.id, g);
      if (!seen.admitGroup(record.id)) continue;
      const members = g.memberExternalIds;
      fresh.push({ record, members, membersHash: members && membersHash(members) });
    }
    if (fresh.length === 0) return;
    const diff = await compareGroups(observed, source.id, fresh);
    seen.live.group += diff.live;
    for (const stale of diff.staleMemberHashes) staleMemberHashes.push(stale);
    await stage('group', diff.changed);
  }

  async function stageRemovals(kind: 'remove-user' | 'remove-group', recordKind: 'user' | 'group', externalIds: readonly string[]): Promise<void> {
    if (externalIds.length === 0) return;
    const ids = externalIds.map((e) => recordId(source.id, recordKind, e));
    await staging.add(kind, await observed.liveIds(recordKind, ids));
  }

  /** Writes a batch; if one record breaks a uniqueness rule, writes the rest one by one and skips that one. */
  function writeUsers(users: UserRecord[]): Promise<void> {
    return writeUsersOf(run, users, direct ? publishedAtEnd : undefined);
  }
}
