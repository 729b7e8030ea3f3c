import type { Queryable } from '../db.js';

/**
 * A row of `people`: the one person row type. Each query reads the columns it needs, typed as a
 * `Pick` of this (`PersonSummaryRow`, `PersonKindRow`, correlation's `CorrelatedPersonRow` …).
 * Where a query lower-cases `email`, its doc comment says so.
 */
export interface PersonRow {
  id: string;
  email: string;
  given_name: string | null;
  family_name: string | null;
  display_name: string | null;
  company: string | null;
  kind: 'internal' | 'external';
  status: 'active' | 'inactive';
  last_active_at: Date | null;
  created_at: Date;
  email_conflict: StoredEmailConflict | null;
}

/** `people.email_conflict`: the address a person's accounts carry that another person holds. */
export interface StoredEmailConflict {
  email: string;
  heldBy: string;
  account: string;
  since: string;
}

/** A person as admin operations see them: enough to log a change and pick a default validity. */
export type PersonSummaryRow = Pick<PersonRow, 'id' | 'email' | 'kind' | 'company'>;

/** A person as an import matches them by e-mail, and as explanations and previews name them. */
export type PersonKindRow = Pick<PersonRow, 'id' | 'email' | 'kind'>;

/** The person whose e-mail is `email` (case-insensitive), as the console signs them in. */
export async function personByEmail(q: Queryable, email: string): Promise<{ id: string; email: string } | undefined> {
  const r = await q.query<{ id: string; email: string }>('select id, lower(email) as email from people where lower(email) = lower($1)', [email]);
  return r.rows[0];
}

/** Locks a person like the reconciler does, so that hand changes and reconciliation serialise. */
export async function lockPerson(tx: Queryable, personId: string): Promise<PersonSummaryRow | undefined> {
  const r = await tx.query<PersonSummaryRow>('select id, email, kind, company from people where id = $1 for update', [personId]);
  return r.rows[0];
}

export interface NewPerson {
  /** Already normalised (`emailKey`). */
  email: string;
  givenName: string | null;
  familyName: string | null;
  company: string | null;
  kind: 'internal' | 'external';
}

/** The person with this normalised e-mail, created from `person` when missing, locked. */
export async function ensurePerson(tx: Queryable, person: NewPerson): Promise<PersonSummaryRow> {
  await tx.query(
    `insert into people (email, given_name, family_name, display_name, company, kind)
     values ($1, $2, $3, nullif(trim(coalesce($2, '') || ' ' || coalesce($3, '')), ''), $4, $5)
     on conflict (lower(email)) do nothing`,
    [person.email, person.givenName, person.familyName, person.company, person.kind],
  );
  const r = await tx.query<PersonSummaryRow>('select id, email, kind, company from people where lower(email) = $1 for update', [person.email]);
  return r.rows[0] as PersonSummaryRow;
}

/** The people with these normalised e-mails, locked in id order. */
export async function lockPeopleByEmails(tx: Queryable, emails: readonly string[]): Promise<PersonKindRow[]> {
  const r = await tx.query<PersonKindRow>('select id, email, kind from people where lower(email) = any($1::text[]) order by id for update', [emails]);
  return r.rows;
}

/** Creates the people of `people` not yet known by their e-mail; known ones are left as they are. */
export async function insertMissingPeople(tx: Queryable, people: readonly NewPerson[]): Promise<void> {
  if (people.length === 0) return;
  await tx.query(
    `insert into people (email, given_name, family_name, display_name, company, kind)
     select r.email, r.given_name, r.family_name, nullif(trim(coalesce(r.given_name, '') || ' ' || coalesce(r.family_name, '')), ''), r.company, r.kind
       from jsonb_to_recordset($1::jsonb) as r(email text, given_name text, family_name text, company text, kind text)
      order by r.email
     on conflict (lower(email)) do nothing`,
    [JSON.stringify(people.map((p) => ({ email: p.email, given_name: p.givenName, family_name: p.familyName, company: p.company, kind: p.kind })))],
  );
}

/** Sets the company of people (by normalised e-mail) who have none; a known company is kept. */
export async function fillMissingCompanies(tx: Queryable, companies: ReadonlyArray<{ email: string; company: string | null }>): Promise<void> {
  await tx.query(
    `update people p set company = r.company, updated_at = now()
       from jsonb_to_recordset($1::jsonb) as r(email text, company text)
      where lower(p.email) = r.email and p.company is null and r.company is not null`,
    [JSON.stringify(companies)],
  );
}

/** The ids of the people with these normalised e-mails, by e-mail, locked in id order. */
export async function lockPersonIdsByEmails(tx: Queryable, emails: readonly string[]): Promise<Map<string, string>> {
  const r = await tx.query<{ id: string; email: string }>('select id, lower(email) as email from people where lower(email) = any($1::text[]) order by id for update', [emails]);
  return new Map(r.rows.map((row) => [row.email, row.id]));
}

/**
 * People, every column the people API shows (`email` lower-cased), ordered by e-mail, filtered by
 * id, e-mail and cursor. With `workspaces`, only `self` and people with a grant not removed in one
 * of them.
 */
export async function listPeople(
  q: Queryable,
  filter: { id: string | null; email: string | null; after: string | null; workspaces: readonly string[] | null; self: string | null; limit: number },
): Promise<PersonRow[]> {
  const r = await q.query<PersonRow>(
    `select p.id, lower(p.email) as email, p.given_name, p.family_name, p.display_name, p.company, p.kind, p.status, p.last_active_at, p.created_at, p.email_conflict
       from people p
      where ($1::uuid is null or p.id = $1) and ($2::text is null or lower(p.email) = $2) and ($3::text is null or lower(p.email) > $3)
        and ($4::text[] is null or p.id = $5::uuid or exists (
              select 1 from memberships m where m.person_id = p.id and m.workspace_id = any($4::text[]) and m.status <> 'removed'))
      order by lower(p.email) limit $6`,
    [filter.id, filter.email, filter.after, filter.workspaces, filter.self, filter.limit],
  );
  return r.rows;
}

/**
 * Records activity the host application reported; the stored time only moves forward. Returns
 * false when there is no such person.
 */
export async function recordActivity(q: Queryable, personId: string, at: Date): Promise<boolean> {
  const r = await q.query<{ last_active_at: Date }>(
    `update people set last_active_at = greatest(coalesce(last_active_at, $2), $2) where id = $1 returning last_active_at`,
    [personId, at],
  );
  return r.rowCount > 0;
}
