import type { Queryable } from '../db.js';
import type { ObservedUserRow } from './observed-rows.js';
import type { ObservedRowVersion } from './written-rows.js';

/*
 * How ingest writes `source_users`. Called from src/ingest only, the single writer of observed
 * state (see written-rows.ts): ingest decides which users to write and when; these statements say
 * how, as whole batches packed into column arrays for one `unnest` each.
 */

/** A `source_users` row as ingest writes it; `emails` and `attributes` are stored as jsonb. */
export type UserRow = Pick<
  ObservedUserRow,
  'id' | 'external_id' | 'user_name' | 'email' | 'emails' | 'given_name' | 'family_name' | 'display_name' | 'company' | 'active' | 'attributes' | 'content_hash'
>;

/** A stored user as a write compares it with the new one. */
export type UserBeforeWrite = Pick<ObservedUserRow, 'id' | 'content_hash' | 'email' | 'active'> & { deleted: boolean };

/** What `writeUserIfChanged` found and did: the user as stored before (if any), and the row written (if it differed). */
export interface OneUserWrite {
  before: (UserBeforeWrite & ObservedRowVersion) | undefined;
  written: ObservedRowVersion | undefined;
}

const USER_COLUMNS = 'id, external_id, user_name, email, emails, given_name, family_name, display_name, company, active, attributes, content_hash';

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
const upsertUsersText = (where = '') => `insert into source_users (source_id, ${USER_COLUMNS})
         select $1, r.* from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[], $9::text[],
                                    $10::text[], $11::boolean[], $12::jsonb[], $13::text[]) as r(${USER_COLUMNS}) ${where}
         on conflict (source_id, id) do update set
           external_id = excluded.external_id, user_name = excluded.user_name, email = excluded.email,
           emails = excluded.emails, given_name = excluded.given_name, family_name = excluded.family_name,
           display_name = excluded.display_name, company = excluded.company, active = excluded.active,
           attributes = excluded.attributes, content_hash = excluded.content_hash,
           version = nextval('observed_version'), updated_at = now(), deleted_at = null`;

const LOCK_USERS = `select id, content_hash, email, active, deleted_at is not null as deleted
           from source_users where source_id = $1 and id = any($2::uuid[]) for update`;

/** Locks the stored rows of these users (live or deleted) for the caller's transaction. */
export async function lockStoredUsers(tx: Queryable, sourceId: string, ids: readonly string[]): Promise<UserBeforeWrite[]> {
  const r = await tx.query<UserBeforeWrite>(LOCK_USERS, [sourceId, ids]);
  return r.rows;
}

const UPSERT_USERS = `${upsertUsersText()} returning id, version, created_at, updated_at`;

/** Writes these rows in one statement, replacing what their ids hold (a deleted user comes back live). */
export async function upsertUsers(tx: Queryable, sourceId: string, rows: readonly UserRow[]): Promise<ObservedRowVersion[]> {
  const r = await tx.query<ObservedRowVersion>(UPSERT_USERS, [sourceId, ...userColumns(rows)]);
  return r.rows;
}

/**
 * One user in one statement: the stored row is locked and compared, and the new one written only
 * when its hash differs, by the database itself — one round trip instead of four.
 */
const WRITE_USER_IF_CHANGED = `with before as (
         select id, content_hash, email, active, deleted_at is not null as deleted, version, created_at, updated_at
           from source_users where source_id = $1 and id = ($2::uuid[])[1] for update
       ), written as (
         ${upsertUsersText('where not exists (select 1 from before b where not b.deleted and b.content_hash = r.content_hash)')}
         returning id, version, created_at, updated_at
       )
       select 'before' as part, id, content_hash, email, active, deleted, version, created_at, updated_at from before
       union all
       select 'written', id, null, null, null, null, version, created_at, updated_at from written`;

/** Writes one user unless a live row with the same content hash is stored (`written` is then undefined). */
export async function writeUserIfChanged(q: Queryable, sourceId: string, row: UserRow): Promise<OneUserWrite> {
  const parts = await q.query<UserBeforeWrite & ObservedRowVersion & { part: 'before' | 'written' }>(WRITE_USER_IF_CHANGED, [sourceId, ...userColumns([row])]);
  return { before: parts.rows.find((r) => r.part === 'before'), written: parts.rows.find((r) => r.part === 'written') };
}

const SOFT_DELETE_USERS = `update source_users set deleted_at = now(), updated_at = now(), version = nextval('observed_version')
          where source_id = $1 and id = any($2::uuid[]) and deleted_at is null
          returning id, email`;

/** Marks the live ones of these users deleted; returns those it marked, with their correlation key. */
export async function softDeleteUsers(tx: Queryable, sourceId: string, ids: readonly string[]): Promise<Array<{ id: string; email: string | null }>> {
  const r = await tx.query<{ id: string; email: string | null }>(SOFT_DELETE_USERS, [sourceId, ids]);
  return r.rows;
}

/** How many ids one lookup sends. */
const LOOKUP_BATCH = 10_000;

const EMAILS_OF_USERS = 'select id, email from source_users where source_id = $1 and id = any($2::uuid[]) and email is not null';

/** User id → correlation key (lower-cased e-mail) of those of these users that have one, deleted ones included. */
export async function emailsOfUsers(q: Queryable, sourceId: string, userIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < userIds.length; i += LOOKUP_BATCH) {
    const rows = await q.query<{ id: string; email: string }>(EMAILS_OF_USERS, [sourceId, userIds.slice(i, i + LOOKUP_BATCH)]);
    for (const r of rows.rows) out.set(r.id, r.email);
  }
  return out;
}
