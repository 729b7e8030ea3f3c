import type { Db } from '../db.js';
import { membersOfGroups } from './group-member-writes.js';
import type { ObservedGroupRow } from './observed-rows.js';

export type RecordKind = 'user' | 'group';

/** Observed state's table for each kind of record. */
const TABLES = { user: 'source_users', group: 'source_groups' } as const;

const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/** A group's stored hashes, for the diff. */
export type StoredGroup = Pick<ObservedGroupRow, 'id' | 'content_hash' | 'members_hash'> & { live: boolean };

/**
 * One source's records in observed state as a sync run reads them (live counts and ids, pages of
 * live keys, the users whose hashes differ, stored groups and members). It writes no rows: a run
 * writes observed state through ingest only. It does refresh the tables' planner statistics
 * (`analyze`), which is upkeep of the database, not state.
 */
export class SourceRecords {
  constructor(
    private readonly db: Db,
    private readonly sourceId: string,
  ) {}

  async liveCount(kind: RecordKind): Promise<number> {
    const live = await this.db.query<{ n: number }>(`select count(*)::int as n from ${TABLES[kind]} where source_id = $1 and deleted_at is null`, [this.sourceId]);
    return live.rows[0]?.n ?? 0;
  }

  /** The ids of the live records of `kind` among `ids`. */
  async liveIds(kind: RecordKind, ids: readonly string[]): Promise<string[]> {
    const live = await this.db.query<{ id: string }>(`select id from ${TABLES[kind]} where source_id = $1 and id = any($2::uuid[]) and deleted_at is null`, [this.sourceId, ids]);
    return live.rows.map((r) => r.id);
  }

  /** The live records of `kind`, id and `key` column, in pages ordered by id. */
  liveKeys(kind: RecordKind, key: 'id' | 'external_id', pageSize: number): AsyncGenerator<Array<{ id: string; key: string }>> {
    return this.#livePages(TABLES[kind], `id, ${key} as key`, pageSize);
  }

  /** The live users' ids and e-mails, in pages ordered by id. */
  liveEmails(pageSize: number): AsyncGenerator<Array<{ id: string; email: string | null }>> {
    return this.#livePages('source_users', 'id, email', pageSize);
  }

  /**
   * The positions (1-based) of the users that are new or changed, and whether each is live: the
   * database compares the hashes and answers only for those, so a run that finds most of the
   * directory unchanged reads back almost nothing. (A pulled user's id derives from its external
   * id, so either names the row.)
   */
  async differingUsers(externalIds: ReadonlyArray<string | null>, hashes: readonly string[]): Promise<Array<{ i: number; live: boolean }>> {
    const differing = await this.db.query<{ i: number; live: boolean }>(
      `select t.i::int as i, s.id is not null as live
         from rows from (json_array_elements_text($2::json), json_array_elements_text($3::json)) with ordinality as t(external_id, hash, i)
         left join source_users s on s.source_id = $1 and s.external_id = t.external_id and s.deleted_at is null
        where s.id is null or s.content_hash <> t.hash
        order by t.i`,
      // JSON arrays: serialised natively, where node-postgres escapes each element of a text[].
      [this.sourceId, JSON.stringify(externalIds), JSON.stringify(hashes)],
    );
    return differing.rows;
  }

  async groups(ids: readonly string[]): Promise<StoredGroup[]> {
    const stored = await this.db.query<StoredGroup>(
      'select id, content_hash, members_hash, deleted_at is null as live from source_groups where source_id = $1 and id = any($2::uuid[])',
      [this.sourceId, ids],
    );
    return stored.rows;
  }

  /** The stored members (user ids) of each of `groupIds`; a group without members is absent. */
  async members(groupIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const members = new Map<string, Set<string>>();
    for (const m of await membersOfGroups(this.db, this.sourceId, groupIds)) {
      let set = members.get(m.group_id);
      if (!set) members.set(m.group_id, (set = new Set()));
      set.add(m.user_id);
    }
    return members;
  }

  /**
   * Refreshes the planner statistics of observed state's tables (all sources'), after a run wrote
   * enough rows to change its plans. It changes no row, so it is no second writer beside ingest.
   */
  async analyze(): Promise<void> {
    await this.db.query('analyze source_users, source_groups, source_group_members');
  }

  /** The source's live rows of `table`, in pages ordered by id. */
  async *#livePages<T extends { id: string }>(table: 'source_users' | 'source_groups', columns: string, pageSize: number): AsyncGenerator<T[]> {
    let after = FIRST_ID;
    for (;;) {
      const rows = await this.db.query<T>(
        `select ${columns} from ${table} where source_id = $1 and deleted_at is null and id > $2::uuid order by id limit ${pageSize}`,
        [this.sourceId, after],
      );
      const last = rows.rows[rows.rows.length - 1];
      if (!last) return;
      after = last.id;
      yield rows.rows;
    }
  }
}
