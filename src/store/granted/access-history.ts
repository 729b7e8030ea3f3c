import type { Queryable } from '../db.js';
import type { PersonKindRow } from '../people/people.js';
import type { MembershipRow } from './grants.js';

/** The person an explanation is about; `email` lower-cased. */
export async function accessSubject(q: Queryable, personId: string): Promise<PersonKindRow | undefined> {
  const r = await q.query<PersonKindRow>('select id, lower(email) as email, kind from people where id = $1', [personId]);
  return r.rows[0];
}

/** A grant (any origin, any status) as an explanation shows it. */
export type StoredGrant = Pick<
  MembershipRow,
  'id' | 'workspace_id' | 'origin' | 'role' | 'status' | 'source_id' | 'rule' | 'valid_from' | 'valid_until' | 'suspended_at' | 'granted_by' | 'updated_at'
>;

/** Every grant of the person in live workspaces (all of them, or these), by workspace then origin. */
export async function grantsOfPerson(q: Queryable, personId: string, workspaces: readonly string[] | null): Promise<StoredGrant[]> {
  const r = await q.query<StoredGrant>(
    `select m.id, m.workspace_id, m.origin, m.role, m.status, m.source_id, m.rule, m.valid_from, m.valid_until, m.suspended_at, m.granted_by, m.updated_at
       from memberships m join workspaces w on w.id = m.workspace_id and w.deleted_at is null
      where m.person_id = $1 and ($2::text[] is null or m.workspace_id = any($2::text[]))
      order by m.workspace_id, m.origin`,
    [personId, workspaces],
  );
  return r.rows;
}

/** A change to one of the person's grants, from the grant log (`audit_log`). */
export interface GrantLogEntry {
  id: string;
  at: Date;
  actor: string;
  action: string;
  workspace_id: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  cause: string | null;
}

/** The person's grant changes in these workspaces, oldest first. */
export async function grantLog(q: Queryable, personId: string, workspaces: readonly string[]): Promise<GrantLogEntry[]> {
  if (workspaces.length === 0) return [];
  const r = await q.query<GrantLogEntry>(
    `select id::text, at, actor, action, workspace_id, before, after, cause
       from audit_log
      where person_id = $1 and workspace_id = any($2::text[]) and action like 'membership.%'
      order by id`,
    [personId, workspaces],
  );
  return r.rows;
}

/** A sync run as an explanation cites it. */
export interface CitedRun {
  id: string;
  source_id: string;
  mode: 'full' | 'delta';
  status: string;
  started_at: Date | null;
  finished_at: Date | null;
}

export async function syncRunsById(q: Queryable, ids: readonly string[]): Promise<Map<string, CitedRun>> {
  const out = new Map<string, CitedRun>();
  if (ids.length === 0) return out;
  const r = await q.query<CitedRun>(
    `select id, source_id, mode, status, started_at, finished_at from sync_runs where id = any($1::uuid[])`,
    [ids],
  );
  for (const run of r.rows) out.set(run.id, run);
  return out;
}

/** The id and status of the person's effective membership (the `effective_memberships` view) in each workspace. */
export async function effectiveMembershipsOf(q: Queryable, personId: string): Promise<Map<string, { membershipId: string; status: string }>> {
  const r = await q.query<{ workspace_id: string; membership_id: string; status: string }>(
    'select workspace_id, membership_id, status from effective_memberships where person_id = $1',
    [personId],
  );
  return new Map(r.rows.map((x) => [x.workspace_id, { membershipId: x.membership_id, status: x.status }]));
}
