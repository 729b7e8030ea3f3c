import type { MembershipStatus } from '../../domain/membership-diff.js';
import type { Role } from '../../domain/roles.js';
import type { Queryable } from '../db.js';

/**
 * Grants (`memberships` rows): who has which role in a workspace, by which origin. `rules` grants
 * belong to the reconciler (`reconcile/write-grant-changes.ts`); the admin API writes `manual` and
 * `invite` grants here, and the lifecycle sweeps any grant's lifecycle fields.
 */
export type Origin = 'rules' | 'manual' | 'invite';

/**
 * A row of `memberships`: the one grant row type. Each query reads the columns it needs, typed as
 * a `Pick` of this (`GrantRow`, `PersonGrantRow`, access history's `StoredGrant`).
 */
export interface MembershipRow {
  id: string;
  person_id: string;
  workspace_id: string;
  origin: Origin;
  role: Role;
  status: MembershipStatus;
  /** For rule grants: the source and rule that grant the role. */
  source_id: string | null;
  rule: string | null;
  valid_from: Date;
  valid_until: Date | null;
  suspended_at: Date | null;
  reminded_at: Date | null;
  granted_by: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** A grant as admin operations, the lifecycle sweeps and the grant log handle it. */
export type GrantRow = Pick<MembershipRow, 'id' | 'person_id' | 'workspace_id' | 'origin' | 'role' | 'status' | 'source_id' | 'rule' | 'valid_until'>;

/** A grant with its person's e-mail, as the grant log needs it. */
export type GrantWithEmail = GrantRow & { email: string };

export async function grantsOf(tx: Queryable, personId: string, workspaceId: string): Promise<GrantRow[]> {
  const r = await tx.query<GrantRow>(
    `select id, person_id, workspace_id, origin, role, status, source_id, rule, valid_until
       from memberships where person_id = $1 and workspace_id = $2`,
    [personId, workspaceId],
  );
  return r.rows;
}

/** The `rules` grants of several people, in every workspace. */
export async function ruleGrantsOfPeople(tx: Queryable, personIds: readonly string[]): Promise<Array<Omit<GrantRow, 'origin'>>> {
  const r = await tx.query<Omit<GrantRow, 'origin'>>(
    `select id, person_id, workspace_id, role, status, source_id, rule, valid_until
       from memberships where person_id = any($1::uuid[]) and origin = 'rules'`,
    [personIds],
  );
  return r.rows;
}

/** The grants of several people in one workspace. */
export async function grantsOfPeople(tx: Queryable, workspaceId: string, personIds: readonly string[]): Promise<GrantRow[]> {
  const r = await tx.query<GrantRow>(
    `select id, person_id, workspace_id, origin, role, status, source_id, rule, valid_until from memberships
      where workspace_id = $1 and person_id = any($2::uuid[])`,
    [workspaceId, personIds],
  );
  return r.rows;
}

/** People other than `personId` with an active admin grant in the workspace. */
export async function countOtherAdmins(tx: Queryable, workspaceId: string, personId: string): Promise<number> {
  const r = await tx.query<{ n: number }>(
    `select count(distinct person_id)::int as n from memberships
      where workspace_id = $1 and role = 'admin' and status = 'active' and person_id <> $2`,
    [workspaceId, personId],
  );
  return r.rows[0]?.n ?? 0;
}

/** The people with an active admin grant in the workspace. */
export async function activeAdminIds(tx: Queryable, workspaceId: string): Promise<Set<string>> {
  const r = await tx.query<{ person_id: string }>(`select distinct person_id from memberships where workspace_id = $1 and role = 'admin' and status = 'active'`, [workspaceId]);
  return new Set(r.rows.map((row) => row.person_id));
}

/** Whether the person has an active admin grant in some workspace. */
export async function isAdminSomewhere(q: Queryable, personId: string): Promise<boolean> {
  const r = await q.query(`select 1 from memberships where person_id = $1 and role = 'admin' and status = 'active' limit 1`, [personId]);
  return r.rowCount > 0;
}

/** The live workspaces where the person has an active grant. */
export async function workspacesWithActiveGrant(q: Queryable, personId: string): Promise<string[]> {
  const r = await q.query<{ workspace_id: string }>(
    `select distinct m.workspace_id from memberships m join workspaces w on w.id = m.workspace_id and w.deleted_at is null
      where m.person_id = $1 and m.status = 'active'`,
    [personId],
  );
  return r.rows.map((x) => x.workspace_id);
}

/** A grant as the people API lists it. */
export type PersonGrantRow = Omit<GrantRow, 'id'>;

/** The grants not removed of these people in live workspaces (only those in `workspaces` unless it is null). */
export async function liveGrantsOfPeople(q: Queryable, personIds: readonly string[], workspaces: readonly string[] | null): Promise<PersonGrantRow[]> {
  const r = await q.query<PersonGrantRow>(
    `select m.person_id, m.workspace_id, m.origin, m.role, m.status, m.valid_until, m.source_id, m.rule
       from memberships m join workspaces w on w.id = m.workspace_id and w.deleted_at is null
      where m.person_id = any($1::uuid[]) and m.status <> 'removed' and ($2::text[] is null or m.workspace_id = any($2::text[]))
      order by m.workspace_id, m.origin`,
    [personIds, workspaces],
  );
  return r.rows;
}

/** Creates or re-activates a person's hand grant of `origin` in a workspace; returns its id. */
export async function upsertHandGrant(
  tx: Queryable,
  grant: { personId: string; workspaceId: string; origin: 'manual' | 'invite'; role: Role; validUntil: Date | null; grantedBy: string; now: Date },
): Promise<string> {
  const r = await tx.query<{ id: string }>(
    `insert into memberships (person_id, workspace_id, origin, role, status, valid_from, valid_until, granted_by)
     values ($1, $2, $3, $4, 'active', $5, $6, $7)
     on conflict (person_id, workspace_id, origin) do update set
       role = excluded.role, status = 'active', valid_from = excluded.valid_from, valid_until = excluded.valid_until,
       suspended_at = null, reminded_at = null, granted_by = excluded.granted_by,
       version = memberships.version + 1, updated_at = now()
     returning id`,
    [grant.personId, grant.workspaceId, grant.origin, grant.role, grant.now, grant.validUntil, grant.grantedBy],
  );
  return (r.rows[0] as { id: string }).id;
}

/** `upsertHandGrant` for many `manual` grants in one workspace; returns each grant's id by person id. */
export async function upsertManualGrants(
  tx: Queryable,
  workspaceId: string,
  grants: ReadonlyArray<{ personId: string; role: Role; validUntil: Date | null }>,
  grantedBy: string,
  now: Date,
): Promise<Map<string, string>> {
  const written = await tx.query<{ id: string; person_id: string }>(
    `insert into memberships (person_id, workspace_id, origin, role, status, valid_from, valid_until, granted_by)
     select r.person_id, $2, 'manual', r.role, 'active', $3, r.valid_until, $4
       from jsonb_to_recordset($1::jsonb) as r(person_id uuid, role text, valid_until timestamptz)
     on conflict (person_id, workspace_id, origin) do update set
       role = excluded.role, status = 'active', valid_from = excluded.valid_from, valid_until = excluded.valid_until,
       suspended_at = null, reminded_at = null, granted_by = excluded.granted_by, version = memberships.version + 1, updated_at = now()
     returning id, person_id`,
    [JSON.stringify(grants.map((g) => ({ person_id: g.personId, role: g.role, valid_until: g.validUntil }))), workspaceId, now, grantedBy],
  );
  return new Map(written.rows.map((r) => [r.person_id, r.id]));
}

/** Sets role and validity of grants; a changed validity makes a new reminder due. */
export async function setRolesAndValidity(tx: Queryable, changes: ReadonlyArray<{ id: string; role: Role; validUntil: Date | null }>): Promise<void> {
  await tx.query(
    `update memberships m set role = r.role, valid_until = r.valid_until, reminded_at = case when m.valid_until is distinct from r.valid_until then null else m.reminded_at end,
            version = m.version + 1, updated_at = now()
       from jsonb_to_recordset($1::jsonb) as r(id uuid, role text, valid_until timestamptz)
      where m.id = r.id`,
    [JSON.stringify(changes.map((c) => ({ id: c.id, role: c.role, valid_until: c.validUntil })))],
  );
}

export async function setRole(tx: Queryable, grantId: string, role: Role): Promise<void> {
  await tx.query('update memberships set role = $2, version = version + 1, updated_at = now() where id = $1', [grantId, role]);
}

/** Sets the validity of grants, re-activating expired ones; a new reminder is due before the new end. */
export async function extendGrants(tx: Queryable, grantIds: readonly string[], validUntil: Date): Promise<void> {
  await tx.query(
    `update memberships set valid_until = $2, reminded_at = null,
            status = case when status = 'expired' then 'active' else status end,
            version = version + 1, updated_at = now()
      where id = any($1::uuid[])`,
    [grantIds, validUntil],
  );
}

/** Removes grants by hand (a suspension ends with them). */
export async function removeGrants(tx: Queryable, grantIds: readonly string[]): Promise<void> {
  await tx.query(
    `update memberships set status = 'removed', suspended_at = null, version = version + 1, updated_at = now() where id = any($1::uuid[])`,
    [grantIds],
  );
}

/** The grants not removed of a workspace with their people's e-mails, ordered by e-mail, locked. */
export async function lockLiveGrantsOfWorkspace(tx: Queryable, workspaceId: string): Promise<GrantWithEmail[]> {
  const r = await tx.query<GrantWithEmail>(
    `select m.id, m.person_id, m.workspace_id, m.origin, m.role, m.status, m.source_id, m.rule, m.valid_until, p.email
       from memberships m join people p on p.id = m.person_id
      where m.workspace_id = $1 and m.status <> 'removed' order by p.email for update of m`,
    [workspaceId],
  );
  return r.rows;
}

/** Removes every grant of a workspace (it is being deleted). */
export async function removeGrantsOfWorkspace(tx: Queryable, workspaceId: string): Promise<void> {
  await tx.query(`update memberships set status = 'removed', version = version + 1, updated_at = now() where workspace_id = $1 and status <> 'removed'`, [workspaceId]);
}
