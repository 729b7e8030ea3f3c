import { emailKey } from '../domain/email.js';
import type { Db } from '../store/db.js';
import { sqlState } from '../store/db.js';
import { addMembersToGroup, removeAllMembersOfGroups, removeMembersOfGroup, removeUsersFromGroups } from '../store/observed/group-member-writes.js';
import { bumpGroupVersionForMembers, forgetMembersHashes, lockLiveGroupName, softDeleteGroups, storeMembersHashes } from '../store/observed/group-writes.js';
import { saveMemberDisplays } from '../store/observed/scim-groups.js';
import { emailsOfUsers, lockStoredUsers, softDeleteUsers, upsertUsers, writeUserIfChanged, type UserBeforeWrite, type UserRow } from '../store/observed/user-writes.js';
import { IngestConflictError } from './errors.js';
import { userHash } from './record-hashes.js';
import type { ChangePublisher, GroupRecord, PersonChange, UserRecord, WrittenRow } from './records.js';
import { writeGroupsIn, type GroupsWritten } from './write-groups.js';
import { readUnchanged, recordUpserted, writtenRow } from './written-rows.js';

export { groupHash, membersHash, userHash } from './record-hashes.js';

export interface IngestOptions {
  db: Db;
  changes: ChangePublisher;
}

export interface WriteOptions {
  /** Why, for the audit trail: e.g. `scim PATCH`, `ldap full sync`. */
  cause?: string;
  /** Where this write's changes go instead of the queue (a sync run that publishes once at its end). */
  changes?: ChangePublisher;
}

/** The row stored for a user: its e-mail as the correlation key, and the hash later writes compare. */
function userRow(user: UserRecord): UserRow {
  return {
    id: user.id,
    external_id: user.externalId,
    user_name: user.userName,
    email: emailKey(user.email),
    emails: user.emails,
    given_name: user.givenName,
    family_name: user.familyName,
    display_name: user.displayName,
    company: user.company,
    active: user.active,
    attributes: user.attributes,
    content_hash: userHash(user),
  };
}

/** The cause text of each kind of change, built once. */
class CauseNames {
  readonly #built = new Map<string, string>();
  constructor(readonly build: (what: string) => string) {}
  of(what: string): string {
    let name = this.#built.get(what);
    if (name === undefined) this.#built.set(what, (name = this.build(what)));
    return name;
  }
}

function conflictFrom(error: unknown, sourceId: string): unknown {
  if (sqlState(error) !== '23505') return error;
  const constraint = String((error as { constraint?: unknown }).constraint ?? (error as Error).message);
  const resource = constraint.includes('source_groups') ? 'group' : 'user';
  if (constraint.includes('user_name')) return new IngestConflictError(resource, 'userName', `userName already exists in source "${sourceId}"`, { cause: error });
  if (constraint.includes('external_id')) return new IngestConflictError(resource, 'externalId', `externalId already exists in source "${sourceId}"`, { cause: error });
  return new IngestConflictError(resource, 'id', `the record conflicts with an existing one in source "${sourceId}"`, { cause: error });
}

/**
 * The only writer of observed state. Each write compares content hashes with what is stored, writes
 * only what changed (bumping the row's version), and publishes one change per affected person once
 * the transaction has committed. Writing the same data again writes nothing and publishes nothing.
 */
export class Ingest {
  readonly #db: Db;
  readonly #changes: ChangePublisher;

  constructor(options: IngestOptions) {
    this.#db = options.db;
    this.#changes = options.changes;
  }

  async writeUsers(sourceId: string, users: readonly UserRecord[], options: WriteOptions = {}): Promise<WrittenRow[]> {
    if (users.length === 0) return [];
    const cause = options.cause ?? `${sourceId}: user written`;
    // One string per kind of change, not one per user: a sync holds these until it publishes.
    const causes = new CauseNames((what) => (what === 'e-mail changed' ? `${cause} (e-mail changed)` : `${cause} (user ${what})`));
    const changes: PersonChange[] = [];
    const noteChange = (user: UserRecord, before: UserBeforeWrite | undefined) => {
      const key = emailKey(user.email);
      const what = !before || before.deleted ? 'created' : before.active && !user.active ? 'deactivated' : !before.active && user.active ? 'reactivated' : 'updated';
      if (key) changes.push({ key, sourceId, cause: causes.of(what) });
      if (before?.email && before.email !== key) changes.push({ key: before.email, sourceId, cause: causes.of('e-mail changed') });
    };
    let result: WrittenRow[];
    try {
      const only = users.length === 1 ? users[0] : undefined;
      result = only ? [await this.#writeOneUser(sourceId, only, noteChange)] : await this.#writeManyUsers(sourceId, users, noteChange);
    } catch (error) {
      throw conflictFrom(error, sourceId);
    }
    await (options.changes ?? this.#changes).publish(changes);
    return result;
  }

  /** A batch in one transaction: lock what is stored, write what changed in one statement. */
  async #writeManyUsers(sourceId: string, users: readonly UserRecord[], noteChange: (user: UserRecord, before: UserBeforeWrite | undefined) => void): Promise<WrittenRow[]> {
    return this.#db.transaction(async (tx) => {
      const existing = new Map<string, UserBeforeWrite>();
      for (const row of await lockStoredUsers(tx, sourceId, users.map((u) => u.id))) existing.set(row.id, row);

      const rows: UserRow[] = [];
      const unchanged: string[] = [];
      for (const user of users) {
        const row = userRow(user);
        const before = existing.get(user.id);
        if (before && !before.deleted && before.content_hash === row.content_hash) {
          unchanged.push(user.id);
          continue;
        }
        rows.push(row);
        noteChange(user, before);
      }

      const written = new Map<string, WrittenRow>();
      if (rows.length > 0) recordUpserted(written, await upsertUsers(tx, sourceId, rows), existing);
      await readUnchanged(tx, 'users', sourceId, unchanged, written);
      return users.map((u) => written.get(u.id)).filter((w): w is WrittenRow => w !== undefined);
    });
  }

  /**
   * One user in one statement, without a transaction around it: what a SCIM request writes (the
   * database compares the hashes, see `writeUserIfChanged`).
   */
  async #writeOneUser(sourceId: string, user: UserRecord, noteChange: (user: UserRecord, before: UserBeforeWrite | undefined) => void): Promise<WrittenRow> {
    const { before, written } = await writeUserIfChanged(this.#db, sourceId, userRow(user));
    if (written) {
      noteChange(user, before);
      return writtenRow(written, before && !before.deleted ? 'updated' : 'created');
    }
    if (!before) throw new Error(`user ${user.id} was neither stored nor written`);
    return writtenRow(before, 'unchanged');
  }

  /** Soft-deletes users (they read as gone) and drops them from their groups. Returns how many were live. */
  async deleteUsers(sourceId: string, ids: readonly string[], options: WriteOptions = {}): Promise<number> {
    if (ids.length === 0) return 0;
    const cause = options.cause ?? `${sourceId}: user deleted`;
    const deletedCause = `${cause} (user deleted)`;
    const deleted = await this.#db.transaction(async (tx) => {
      const rows = await softDeleteUsers(tx, sourceId, ids);
      if (rows.length > 0) {
        const left = await removeUsersFromGroups(tx, sourceId, rows.map((r) => r.id));
        if (left.length > 0) await forgetMembersHashes(tx, sourceId, [...new Set(left)]);
      }
      return rows;
    });
    await (options.changes ?? this.#changes).publish(
      deleted.flatMap((r) => (r.email ? [{ key: r.email, sourceId, cause: deletedCause }] : [])),
    );
    return deleted.length;
  }

  /**
   * Writes groups; where `memberIds` is given, the member list becomes exactly that.
   * A renamed group (rules match names) touches all its members; a member list change touches those added or removed.
   */
  async writeGroups(sourceId: string, groups: readonly GroupRecord[], options: WriteOptions = {}): Promise<WrittenRow[]> {
    if (groups.length === 0) return [];
    const cause = options.cause ?? `${sourceId}: group written`;
    let outcome: GroupsWritten;
    try {
      outcome = await this.#db.transaction((tx) => writeGroupsIn(tx, sourceId, groups, cause));
    } catch (error) {
      throw conflictFrom(error, sourceId);
    }
    await this.#publishForUsers(sourceId, outcome.touched, options.changes);
    return outcome.rows;
  }

  /**
   * Adds and removes members of one group without reading or rewriting its whole member list.
   * Returns the members actually added and removed (adding a present member is a no-op), and the group's new version.
   */
  async changeGroupMembers(
    sourceId: string,
    groupId: string,
    change: { add?: readonly string[]; remove?: readonly string[] },
    options: WriteOptions = {},
  ): Promise<{ added: string[]; removed: string[]; version: number | undefined }> {
    const cause = options.cause ?? `${sourceId}: group members changed`;
    const outcome = await this.#db.transaction(async (tx) => {
      const name = (await lockLiveGroupName(tx, sourceId, groupId)) ?? groupId;
      const removed = change.remove?.length ? await removeMembersOfGroup(tx, sourceId, groupId, change.remove) : [];
      const added = change.add?.length ? await addMembersToGroup(tx, sourceId, groupId, change.add) : [];
      const version = added.length + removed.length > 0 ? await bumpGroupVersionForMembers(tx, sourceId, groupId) : undefined;
      return { added, removed, version, name };
    });
    const touched = new Map<string, string>();
    const added = `${cause} (added to group ${outcome.name})`;
    const removed = `${cause} (removed from group ${outcome.name})`;
    for (const u of outcome.added) touched.set(u, added);
    for (const u of outcome.removed) touched.set(u, removed);
    await this.#publishForUsers(sourceId, touched, options.changes);
    return { added: outcome.added, removed: outcome.removed, version: outcome.version };
  }

  async deleteGroups(sourceId: string, ids: readonly string[], options: WriteOptions = {}): Promise<number> {
    if (ids.length === 0) return 0;
    const cause = options.cause ?? `${sourceId}: group deleted`;
    const { count, members } = await this.#db.transaction(async (tx) => {
      const gone = await softDeleteGroups(tx, sourceId, ids);
      if (gone.length === 0) return { count: 0, members: [] as string[] };
      return { count: gone.length, members: await removeAllMembersOfGroups(tx, sourceId, gone.map((g) => g.id)) };
    });
    const deletedCause = `${cause} (group deleted)`;
    await this.#publishForUsers(sourceId, new Map(members.map((userId) => [userId, deletedCause])), options.changes);
    return count;
  }

  /**
   * Stores the hashes of member lists a sync run found unchanged ([group id, hash]), so that the
   * next run's diff can compare them. A cache of what the diff compares: no record's content or
   * version changes, so nothing is published.
   */
  storeUnchangedMembersHashes(sourceId: string, hashes: ReadonlyArray<readonly [groupId: string, hash: string]>): Promise<void> {
    return storeMembersHashes(this.#db, sourceId, hashes);
  }

  /**
   * Keeps the display text a SCIM client gave some members of a group (`members[].display`), after
   * the group's own write. It is cosmetic — reconciliation never reads it — so it changes no
   * version and publishes nothing.
   */
  saveMemberDisplays(sourceId: string, groupId: string, displays: ReadonlyArray<readonly [userId: string, display: string]>): Promise<void> {
    return saveMemberDisplays(this.#db, sourceId, groupId, displays);
  }

  /** Publishes changes gathered elsewhere (see `WriteOptions.changes`). */
  publish(changes: readonly PersonChange[]): Promise<void> {
    return this.#changes.publish(changes);
  }

  async #publishForUsers(sourceId: string, touched: Map<string, string>, publisher: ChangePublisher = this.#changes): Promise<void> {
    if (touched.size === 0) return;
    const keys = await emailsOfUsers(this.#db, sourceId, [...touched.keys()]);
    const changes: PersonChange[] = [];
    for (const [userId, key] of keys) changes.push({ key, sourceId, cause: touched.get(userId) ?? `${sourceId}: group changed` });
    await publisher.publish(changes);
  }
}
