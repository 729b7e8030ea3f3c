import type { Queryable } from '../db.js';
import type { ObservedGroupRow } from './observed-rows.js';
import type { ObservedRowVersion } from './written-rows.js';

/*
 * How ingest writes `source_groups` rows (their member rows: group-member-writes.ts). Called from
 * src/ingest only, the single writer of observed state (see written-rows.ts).
 */

/** A `source_groups` row as ingest writes it; the rows travel to the database as one JSON array. */
export type GroupRow = Pick<ObservedGroupRow, 'id' | 'external_id' | 'display_name' | 'aliases' | 'attributes' | 'content_hash'>;

/** A stored group as a write compares it with the new one. */
export type GroupBeforeWrite = Pick<ObservedGroupRow, 'id' | 'content_hash' | 'members_hash'> & { deleted: boolean };

const LOCK_GROUPS = `select id, content_hash, members_hash, deleted_at is not null as deleted from source_groups
      where source_id = $1 and id = any($2::uuid[]) for update`;

/** Locks the stored rows of these groups (live or deleted) for the caller's transaction. */
export async function lockStoredGroups(tx: Queryable, sourceId: string, ids: readonly string[]): Promise<GroupBeforeWrite[]> {
  const r = await tx.query<GroupBeforeWrite>(LOCK_GROUPS, [sourceId, ids]);
  return r.rows;
}

/** The rows travel as one JSON array: one parameter, however many groups. */
const UPSERT_GROUPS = `insert into source_groups (source_id, id, external_id, display_name, aliases, attributes, content_hash)
       select $1, r.id, r.external_id, r.display_name, array(select jsonb_array_elements_text(r.aliases)), r.attributes, r.content_hash
         from jsonb_to_recordset($2::jsonb) as r(id uuid, external_id text, display_name text, aliases jsonb, attributes jsonb, content_hash text)
       on conflict (source_id, id) do update set
         external_id = excluded.external_id, display_name = excluded.display_name, aliases = excluded.aliases,
         attributes = excluded.attributes, content_hash = excluded.content_hash,
         version = nextval('observed_version'), updated_at = now(), deleted_at = null
       returning id, version, created_at, updated_at, xmax = 0 as inserted`;

/** Writes these rows in one statement, replacing what their ids hold; `inserted` marks the rows new to the table. */
export async function upsertGroups(tx: Queryable, sourceId: string, rows: readonly GroupRow[]): Promise<Array<ObservedRowVersion & { inserted: boolean }>> {
  const r = await tx.query<ObservedRowVersion & { inserted: boolean }>(UPSERT_GROUPS, [sourceId, JSON.stringify(rows)]);
  return r.rows;
}

const BUMP_GROUP_VERSIONS = `update source_groups set version = nextval('observed_version'), updated_at = now()
        where source_id = $1 and id = any($2::uuid[]) returning id, version, created_at, updated_at`;

/** Gives these groups a new version (their members changed, their content did not). */
export async function bumpGroupVersions(tx: Queryable, sourceId: string, ids: readonly string[]): Promise<ObservedRowVersion[]> {
  const r = await tx.query<ObservedRowVersion>(BUMP_GROUP_VERSIONS, [sourceId, ids]);
  return r.rows;
}

const STORE_MEMBERS_HASHES = `update source_groups g set members_hash = h.hash from unnest($2::uuid[], $3::text[]) as h(id, hash)
      where g.source_id = $1 and g.id = h.id`;

/**
 * Stores the hash of each group's whole member list: group id → hash. Also how a staged sync run
 * has ingest store the hashes of member lists it found unchanged (`Ingest.storeUnchangedMembersHashes`):
 * a cache of what the diff compares, not a record's content.
 */
export async function storeMembersHashes(tx: Queryable, sourceId: string, hashes: ReadonlyArray<readonly [string, string]>): Promise<void> {
  if (hashes.length === 0) return;
  await tx.query(STORE_MEMBERS_HASHES, [sourceId, hashes.map(([id]) => id), hashes.map(([, hash]) => hash)]);
}

const FORGET_MEMBERS_HASHES = 'update source_groups set members_hash = null where source_id = $1 and id = any($2::uuid[])';

/** Clears the members hash of these groups, whose member lists were changed member by member. */
export async function forgetMembersHashes(tx: Queryable, sourceId: string, ids: readonly string[]): Promise<void> {
  await tx.query(FORGET_MEMBERS_HASHES, [sourceId, ids]);
}

const LOCK_LIVE_GROUP_NAME = 'select display_name from source_groups where source_id = $1 and id = $2 and deleted_at is null for update';

/** Locks a live group and returns its name; undefined when it is not stored or deleted. */
export async function lockLiveGroupName(tx: Queryable, sourceId: string, groupId: string): Promise<string | undefined> {
  const r = await tx.query<{ display_name: string }>(LOCK_LIVE_GROUP_NAME, [sourceId, groupId]);
  return r.rows[0]?.display_name;
}

const BUMP_GROUP_VERSION_FOR_MEMBERS = `update source_groups set version = nextval('observed_version'), updated_at = now(), members_hash = null
            where source_id = $1 and id = $2 returning version`;

/** Gives a group whose members changed one by one a new version, clearing its members hash; returns the version. */
export async function bumpGroupVersionForMembers(tx: Queryable, sourceId: string, groupId: string): Promise<number | undefined> {
  const r = await tx.query<{ version: number }>(BUMP_GROUP_VERSION_FOR_MEMBERS, [sourceId, groupId]);
  return r.rows[0]?.version;
}

const SOFT_DELETE_GROUPS = `update source_groups set deleted_at = now(), updated_at = now(), version = nextval('observed_version'), members_hash = null
          where source_id = $1 and id = any($2::uuid[]) and deleted_at is null returning id, display_name`;

/** Marks the live ones of these groups deleted; returns those it marked. */
export async function softDeleteGroups(tx: Queryable, sourceId: string, ids: readonly string[]): Promise<Array<{ id: string; display_name: string }>> {
  const r = await tx.query<{ id: string; display_name: string }>(SOFT_DELETE_GROUPS, [sourceId, ids]);
  return r.rows;
}
