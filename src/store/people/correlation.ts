import type { Queryable } from '../db.js';
import type { ObservedUserRow } from '../observed/observed-rows.js';
import type { PersonRow, StoredEmailConflict } from './people.js';

/** A person as correlation reads and writes them; `email` lower-cased. */
export type CorrelatedPersonRow = Omit<PersonRow, 'last_active_at' | 'created_at'>;

/** A source account with its source's precedence and the person it backs. */
export type CorrelationAccountRow = Pick<ObservedUserRow, 'source_id' | 'id' | 'email' | 'active' | 'given_name' | 'family_name' | 'display_name' | 'company'> & {
  /** Deleted in its source (or gone with it): its link ends. */
  deleted: boolean;
  precedence: number;
  person_id: string | null;
};

const PERSON_COLUMNS = `p.id, lower(p.email) as email, p.given_name, p.family_name, p.display_name, p.company, p.kind, p.status, p.email_conflict`;

/**
 * Locks, in id order, the people who hold these addresses and the people backed by the live
 * accounts that carry them. Id order is the one lock order of every reconciler, so concurrent
 * workers serialise on shared people without deadlocking.
 */
export async function lockPeopleOfKeys(tx: Queryable, keys: readonly string[]): Promise<CorrelatedPersonRow[]> {
  const r = await tx.query<CorrelatedPersonRow>(
    `select ${PERSON_COLUMNS} from people p
      where p.id in (select q.id from people q where lower(q.email) = any($1::text[])
                     union all
                     select l.person_id from source_users su
                       join person_links l on l.source_id = su.source_id and l.source_user_id = su.id
                      where su.email = any($1::text[]) and su.deleted_at is null)
      order by p.id for update`,
    [keys],
  );
  return r.rows;
}

/** Locks these people, in id order. */
export async function lockPeople(tx: Queryable, ids: readonly string[]): Promise<CorrelatedPersonRow[]> {
  if (ids.length === 0) return [];
  const r = await tx.query<CorrelatedPersonRow>(`select ${PERSON_COLUMNS} from people p where p.id = any($1::uuid[]) order by p.id for update`, [ids]);
  return r.rows;
}

/**
 * The accounts correlation looks at: the live ones carrying these addresses and every account linked
 * to these people (deleted ones too, so their links end), ordered by precedence, then most recently
 * updated first.
 */
export async function correlationAccounts(tx: Queryable, keys: readonly string[], personIds: readonly string[]): Promise<CorrelationAccountRow[]> {
  const r = await tx.query<CorrelationAccountRow>(
    `with a as (
       select su.source_id, su.id from source_users su where su.email = any($1::text[]) and su.deleted_at is null
       union
       select l.source_id, l.source_user_id from person_links l where l.person_id = any($2::uuid[])
     )
     select a.source_id, a.id, su.email, coalesce(su.active, false) as active, (su.id is null or su.deleted_at is not null) as deleted,
            su.given_name, su.family_name, su.display_name, su.company, coalesce(s.precedence, 0) as precedence, l.person_id
       from a
       left join source_users su on su.source_id = a.source_id and su.id = a.id
       left join sources s on s.id = a.source_id
       left join person_links l on l.source_id = a.source_id and l.source_user_id = a.id
      order by precedence desc, su.updated_at desc nulls last, a.source_id, a.id`,
    [keys, personIds],
  );
  return r.rows;
}

/** Who holds each of these addresses (lower-cased), without locking them. */
export async function holdersOf(tx: Queryable, emails: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (emails.length === 0) return out;
  const r = await tx.query<{ id: string; email: string }>('select id, lower(email) as email from people where lower(email) = any($1::text[])', [emails]);
  for (const row of r.rows) out.set(row.email, row.id);
  return out;
}

/** People's attributes as correlation derives them. */
export type PersonAttributes = Pick<PersonRow, 'given_name' | 'family_name' | 'display_name' | 'company' | 'kind' | 'status'>;

/**
 * Creates people, with the ids given; an address another transaction took meanwhile is left to its
 * holder. Returns the ids that were created.
 */
export async function insertPeople(tx: Queryable, rows: ReadonlyArray<PersonAttributes & { id: string; email: string }>): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const sorted = [...rows].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  const r = await tx.query<{ id: string }>(
    `insert into people (email, given_name, family_name, display_name, company, kind, status, id)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[])
     on conflict (lower(email)) do nothing
     returning id`,
    [...attributeColumns(sorted.map((r) => r.email), sorted), sorted.map((r) => r.id)],
  );
  return new Set(r.rows.map((row) => row.id));
}

/** Moves people to new addresses: each batch in one statement, batches in order. */
export async function moveEmails(tx: Queryable, batches: ReadonlyArray<ReadonlyArray<{ id: string; email: string }>>): Promise<void> {
  for (const batch of batches) {
    if (batch.length === 0) continue;
    await tx.query(
      `update people p set email = r.email, version = p.version + 1, updated_at = now()
         from unnest($1::uuid[], $2::text[]) as r(id, email) where p.id = r.id`,
      [batch.map((m) => m.id), batch.map((m) => m.email)],
    );
  }
}

/** Writes people's derived attributes and their e-mail conflict (null when none). */
export async function updatePeople(
  tx: Queryable,
  rows: ReadonlyArray<PersonAttributes & { id: string; email_conflict: StoredEmailConflict | null }>,
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `update people p set given_name = r.given_name, family_name = r.family_name, display_name = r.display_name,
            company = r.company, kind = r.kind, status = r.status, email_conflict = r.email_conflict,
            version = p.version + 1, updated_at = now()
       from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
            as r(id, given_name, family_name, display_name, company, kind, status, email_conflict)
      where p.id = r.id`,
    [...attributeColumns(rows.map((r) => r.id), rows), rows.map((r) => (r.email_conflict ? JSON.stringify(r.email_conflict) : null))],
  );
}

/** Ends the links of these accounts (`sourceId/accountId`) and sets these (account → person). */
export async function writeLinks(tx: Queryable, unlinked: readonly string[], links: ReadonlyArray<{ account: string; personId: string }>): Promise<void> {
  if (unlinked.length > 0) {
    const [sources, ids] = splitAccountKeys(unlinked);
    await tx.query(
      `delete from person_links l using unnest($1::text[], $2::uuid[]) as d(source_id, source_user_id)
        where l.source_id = d.source_id and l.source_user_id = d.source_user_id`,
      [sources, ids],
    );
  }
  if (links.length > 0) {
    const [sources, ids] = splitAccountKeys(links.map((l) => l.account));
    await tx.query(
      `insert into person_links (source_id, source_user_id, person_id)
       select * from unnest($1::text[], $2::uuid[], $3::uuid[])
       on conflict (source_id, source_user_id) do update set person_id = excluded.person_id`,
      [sources, ids, links.map((l) => l.personId)],
    );
  }
}

/** An account's key in correlation: `sourceId/accountId` (a source id holds no slash before the uuid). */
export function accountKey(sourceId: string, accountId: string): string {
  return `${sourceId}/${accountId}`;
}

function splitAccountKeys(keys: readonly string[]): [string[], string[]] {
  const sources: string[] = [];
  const ids: string[] = [];
  for (const key of keys) {
    const slash = key.lastIndexOf('/');
    sources.push(key.slice(0, slash));
    ids.push(key.slice(slash + 1));
  }
  return [sources, ids];
}

function attributeColumns(keys: readonly string[], rows: readonly PersonAttributes[]): Array<readonly unknown[]> {
  return [
    keys,
    rows.map((r) => r.given_name),
    rows.map((r) => r.family_name),
    rows.map((r) => r.display_name),
    rows.map((r) => r.company),
    rows.map((r) => r.kind),
    rows.map((r) => r.status),
  ];
}

/** An account as a person's view lists it. */
export interface LinkedAccountRow {
  person_id: string;
  source_id: string;
  id: string;
  user_name: string | null;
  email: string | null;
  active: boolean | null;
  linked_at: Date;
}

/** The accounts linked to these people, by source then user name. */
export async function linkedAccounts(q: Queryable, personIds: readonly string[]): Promise<LinkedAccountRow[]> {
  if (personIds.length === 0) return [];
  const r = await q.query<LinkedAccountRow>(
    `select l.person_id, l.source_id, l.source_user_id as id, su.user_name, su.email, su.active, l.created_at as linked_at
       from person_links l left join source_users su on su.source_id = l.source_id and su.id = l.source_user_id
      where l.person_id = any($1::uuid[])
      order by l.source_id, su.user_name`,
    [personIds],
  );
  return r.rows;
}

/** Ends one account's link to a person; returns the account's current e-mail, or undefined when there was no such link. */
export async function deleteLink(tx: Queryable, personId: string, sourceId: string, accountId: string): Promise<{ email: string | null } | undefined> {
  const r = await tx.query<{ email: string | null }>(
    `with gone as (
       delete from person_links where person_id = $1 and source_id = $2 and source_user_id = $3 returning source_id, source_user_id
     )
     select su.email from gone left join source_users su on su.source_id = gone.source_id and su.id = gone.source_user_id`,
    [personId, sourceId, accountId],
  );
  return r.rows[0];
}

/** A person no account backs any more is inactive (as reconciliation leaves a person whose accounts were all deleted). */
export async function deactivateIfUnbacked(tx: Queryable, personId: string): Promise<void> {
  await tx.query(
    `update people set status = 'inactive', version = version + 1, updated_at = now()
      where id = $1 and status <> 'inactive' and not exists (select 1 from person_links where person_id = $1)`,
    [personId],
  );
}
