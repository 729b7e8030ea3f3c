import { emailKey } from '../domain/email.js';
import type { Db, Queryable } from '../store/db.js';
import { sqlState } from '../store/db.js';
import { IngestConflictError } from './errors.js';
import { userHash } from './record-hashes.js';
import type { ChangePublisher, GroupRecord, PersonChange, UserRecord, WrittenRow } from './records.js';
import { writeGroupsIn, type GroupsWritten } from './write-groups.js';
import { readUnchanged, recordUpserted, writtenRow, type ReturnedRow } from './written-rows.js';

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

interface ExistingUser {
  id: string;
  content_hash: string;
  email: string | null;
  active: boolean;
  deleted: boolean;
}

const USER_COLUMNS = 'id, external_id, user_name, email, emails, given_name, family_name, display_name, company, active, attributes, content_hash';

interface UserRow {
  id: string;
  external_id: string | null;
  user_name: string;
  email: string | null;
  emails: unknown;
  given_name: string | null;
  family_name: string | null;
  display_name: string | null;
  company: string | null;
  active: boolean;
  attributes: unknown;
  content_hash: string;
}

/** User rows as the column arrays of an `unnest`, in the order of USER_COLUMNS (jsonb values as JSON text). */
function userColumns(rows: readonly UserRow[]): unknown[][] {
  return [
    rows.map((r) => r.id),
    rows.map((r) => r.external_id),
    rows.map((r) => r.user_name),
    rows.map((r) => r.email),
    rows.map((r) => JSON.stringify(r.emails)),
    rows.map((r) => r.given_name),
    rows.map((r) => r.family_name),
    rows.map((r) => r.display_name),
    rows.map((r) => r.company),
    rows.map((r) => r.active),
    rows.map((r) => JSON.stringify(r.attributes)),
    rows.map((r) => r.content_hash),
  ];
}

/** Inserts the rows `r` of `userColumns` ($2…$13) that pass `where` into source `$1`, replacing what their ids hold. */
const upsertUsers = (where = '') => `insert into source_users (source_id, ${USER_COLUMNS})
         select $1, r.* from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[], $9::text[],
                                    $10::text[], $11::boolean[], $12::jsonb[], $13::text[]) as r(${USER_COLUMNS}) ${where}
         on conflict (source_id, id) do update set
           external_id = excluded.external_id, user_name = excluded.user_name, email = excluded.email,
           emails = excluded.emails, given_name = excluded.given_name, family_name = excluded.family_name,
           display_name = excluded.display_name, company = excluded.company, active = excluded.active,
           attributes = excluded.attributes, content_hash = excluded.content_hash,
           version = nextval('observed_version'), updated_at = now(), deleted_at = null`;

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
    const noteChange = (user: UserRecord, before: ExistingUser | undefined) => {
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
  async #writeManyUsers(sourceId: string, users: readonly UserRecord[], noteChange: (user: UserRecord, before: ExistingUser | undefined) => void): Promise<WrittenRow[]> {
    return this.#db.transaction(async (tx) => {
      const existing = new Map<string, ExistingUser>();
      const found = await tx.query<ExistingUser>(
        `select id, content_hash, email, active, deleted_at is not null as deleted
           from source_users where source_id = $1 and id = any($2::uuid[]) for update`,
        [sourceId, users.map((u) => u.id)],
      );
      for (const row of found.rows) existing.set(row.id, row);

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
      if (rows.length > 0) {
        const upserted = await tx.query<ReturnedRow>(`${upsertUsers()} returning id, version, created_at, updated_at`, [sourceId, ...userColumns(rows)]);
        recordUpserted(written, upserted.rows, existing);
      }
      await readUnchanged(tx, 'source_users', sourceId, unchanged, written);
      return users.map((u) => written.get(u.id)).filter((w): w is WrittenRow => w !== undefined);
    });
  }

  /**
   * One user in one statement, without a transaction around it: what a SCIM request writes. The
   * stored row is locked and compared, and the new one written only when its hash differs, by
   * the database itself — one round trip instead of four.
   */
  async #writeOneUser(sourceId: string, user: UserRecord, noteChange: (user: UserRecord, before: ExistingUser | undefined) => void): Promise<WrittenRow> {
    const row = userRow(user);
    const parts = await this.#db.query<ReturnedRow & { part: 'before' | 'written'; content_hash: string; email: string | null; active: boolean; deleted: boolean }>(
      `with before as (
         select id, content_hash, email, active, deleted_at is not null as deleted, version, created_at, updated_at
           from source_users where source_id = $1 and id = ($2::uuid[])[1] for update
       ), written as (
         ${upsertUsers('where not exists (select 1 from before b where not b.deleted and b.content_hash = r.content_hash)')}
         returning id, version, created_at, updated_at
       )
       select 'before' as part, id, content_hash, email, active, deleted, version, created_at, updated_at from before
       union all
       select 'written', id, null, null, null, null, version, created_at, updated_at from written`,
      [sourceId, ...userColumns([row])],
    );
    const before = parts.rows.find((r) => r.part === 'before');
    const written = parts.rows.find((r) => r.part === 'written');
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
      const rows = await tx.query<{ id: string; email: string | null }>(
        `update source_users set deleted_at = now(), updated_at = now(), version = nextval('observed_version')
          where source_id = $1 and id = any($2::uuid[]) and deleted_at is null
          returning id, email`,
        [sourceId, ids],
      );
      if (rows.rowCount > 0) {
        const left = await tx.query<{ group_id: string }>('delete from source_group_members where source_id = $1 and user_id = any($2::uuid[]) returning group_id', [
          sourceId,
          rows.rows.map((r) => r.id),
        ]);
        if (left.rowCount > 0) {
          await tx.query('update source_groups set members_hash = null where source_id = $1 and id = any($2::uuid[])', [
            sourceId,
            [...new Set(left.rows.map((r) => r.group_id))],
          ]);
        }
      }
      return rows.rows;
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
    return this.#writeGroups(sourceId, groups, options);
  }

  async #writeGroups(sourceId: string, groups: readonly GroupRecord[], options: WriteOptions): Promise<WrittenRow[]> {
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
      const group = await tx.query<{ display_name: string }>(
        'select display_name from source_groups where source_id = $1 and id = $2 and deleted_at is null for update',
        [sourceId, groupId],
      );
      const name = group.rows[0]?.display_name ?? groupId;
      const removed = change.remove?.length
        ? (await tx.query<{ user_id: string }>(
            'delete from source_group_members where source_id = $1 and group_id = $2 and user_id = any($3::uuid[]) returning user_id',
            [sourceId, groupId, change.remove],
          )).rows.map((r) => r.user_id)
        : [];
      const added = change.add?.length
        ? (await tx.query<{ user_id: string }>(
            `insert into source_group_members (source_id, group_id, user_id)
             select $1, $2, u from unnest($3::uuid[]) as u on conflict do nothing returning user_id`,
            [sourceId, groupId, change.add],
          )).rows.map((r) => r.user_id)
        : [];
      let version: number | undefined;
      if (added.length + removed.length > 0) {
        const bumped = await tx.query<{ version: number }>(
          `update source_groups set version = nextval('observed_version'), updated_at = now(), members_hash = null
            where source_id = $1 and id = $2 returning version`,
          [sourceId, groupId],
        );
        version = bumped.rows[0]?.version;
      }
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
      const gone = await tx.query<{ id: string; display_name: string }>(
        `update source_groups set deleted_at = now(), updated_at = now(), version = nextval('observed_version'), members_hash = null
          where source_id = $1 and id = any($2::uuid[]) and deleted_at is null returning id, display_name`,
        [sourceId, ids],
      );
      if (gone.rowCount === 0) return { count: 0, members: [] as Array<{ user_id: string }> };
      const removed = await tx.query<{ user_id: string }>(
        'delete from source_group_members where source_id = $1 and group_id = any($2::uuid[]) returning user_id',
        [sourceId, gone.rows.map((g) => g.id)],
      );
      return { count: gone.rowCount, members: removed.rows };
    });
    const deletedCause = `${cause} (group deleted)`;
    await this.#publishForUsers(sourceId, new Map(members.map((m) => [m.user_id, deletedCause])), options.changes);
    return count;
  }

  /** Publishes changes gathered elsewhere (see `WriteOptions.changes`). */
  publish(changes: readonly PersonChange[]): Promise<void> {
    return this.#changes.publish(changes);
  }

  async #publishForUsers(sourceId: string, touched: Map<string, string>, publisher: ChangePublisher = this.#changes): Promise<void> {
    if (touched.size === 0) return;
    const keys = await this.#emailsOf(this.#db, sourceId, [...touched.keys()]);
    const changes: PersonChange[] = [];
    for (const [userId, key] of keys) changes.push({ key, sourceId, cause: touched.get(userId) ?? `${sourceId}: group changed` });
    await publisher.publish(changes);
  }

  async #emailsOf(q: Queryable, sourceId: string, userIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < userIds.length; i += 10_000) {
      const rows = await q.query<{ id: string; email: string }>(
        'select id, email from source_users where source_id = $1 and id = any($2::uuid[]) and email is not null',
        [sourceId, userIds.slice(i, i + 10_000)],
      );
      for (const r of rows.rows) out.set(r.id, r.email);
    }
    return out;
  }
}
