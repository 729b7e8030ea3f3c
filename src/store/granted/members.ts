import type { Role } from '../../domain/roles.js';
import type { Queryable } from '../db.js';
import { escapeLike } from '../like-pattern.js';

export interface MemberView {
  personId: string;
  email: string;
  role: string;
  status: string;
  origin: string;
  validUntil: string | null;
}

export interface ListMembersOptions {
  role?: string | undefined;
  status?: string | undefined;
  /** Substring of the e-mail or name, case-insensitive. */
  q?: string | undefined;
  /** Exclusive lower bound on the e-mail (cursor). */
  after?: string | undefined;
  /** Only this person. */
  personId?: string | undefined;
  limit: number;
}

/**
 * A workspace's effective memberships (the `effective_memberships` view: per person, the grant that
 * gives the highest role among the active ones, else the most relevant other one), with its origin.
 * Removed ones only when asked for. Ordered by e-mail; returns up to `limit` rows.
 */
export async function listMembers(q: Queryable, workspaceId: string, options: ListMembersOptions): Promise<MemberView[]> {
  const result = await q.query<{ person_id: string; email: string; role: string; status: string; origin: string; valid_until: Date | null }>(
    `select e.person_id, p.email, e.role, e.status, e.origin, e.valid_until
       from effective_memberships e join people p on p.id = e.person_id
      where e.workspace_id = $1 and ($7::uuid is null or e.person_id = $7)
        and ($2::text is null or e.role = $2)
        and (case when $3::text is null then e.status <> 'removed' else e.status = $3 end)
        and ($4::text is null or p.email ilike '%' || $4 || '%' or p.display_name ilike '%' || $4 || '%'
             or (coalesce(p.given_name, '') || ' ' || coalesce(p.family_name, '')) ilike '%' || $4 || '%')
        and ($5::text is null or p.email > $5)
      order by p.email
      limit $6`,
    [workspaceId, options.role ?? null, options.status ?? null, options.q ? escapeLike(options.q) : null, options.after ?? null, options.limit, options.personId ?? null],
  );
  return result.rows.map((r) => ({
    personId: r.person_id,
    email: r.email,
    role: r.role,
    status: r.status,
    origin: r.origin,
    validUntil: r.valid_until ? r.valid_until.toISOString() : null,
  }));
}

/** A person's effective role in a workspace: the role of their effective membership while it is active. */
export async function effectiveRole(q: Queryable, personId: string, workspaceId: string): Promise<Role | null> {
  const r = await q.query<{ role: Role }>(
    `select role from effective_memberships where person_id = $1 and workspace_id = $2 and status = 'active'`,
    [personId, workspaceId],
  );
  return r.rows[0]?.role ?? null;
}

/** The id of each person's effective membership in a workspace, while it is active. */
export async function activeEffectiveMembershipIds(q: Queryable, workspaceId: string, personIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (personIds.length === 0) return out;
  const r = await q.query<{ person_id: string; membership_id: string }>(
    `select person_id, membership_id from effective_memberships
      where workspace_id = $1 and person_id = any($2::uuid[]) and status = 'active'`,
    [workspaceId, personIds],
  );
  for (const row of r.rows) out.set(row.person_id, row.membership_id);
  return out;
}

/** One row of the permissions view: a person's effective membership in one workspace. */
export interface PermissionRow {
  personId: string;
  email: string;
  workspace: string;
  role: string;
  status: string;
  origin: string;
  validUntil: string | null;
}

/** Effective memberships (people × live workspaces), ordered by e-mail then workspace, removed ones left out. */
export async function listPermissions(
  q: Queryable,
  options: { workspaces: string[] | null; workspace: string | undefined; after: [string, string] | undefined; limit: number },
): Promise<PermissionRow[]> {
  const r = await q.query<{ person_id: string; email: string; workspace_id: string; role: string; status: string; origin: string; valid_until: Date | null }>(
    `select e.person_id, lower(p.email) as email, e.workspace_id, e.role, e.status, e.origin, e.valid_until
       from effective_memberships e join people p on p.id = e.person_id join workspaces w on w.id = e.workspace_id and w.deleted_at is null
      where ($1::text[] is null or e.workspace_id = any($1::text[])) and ($2::text is null or e.workspace_id = $2)
        and e.status <> 'removed' and ($3::text is null or (lower(p.email), e.workspace_id) > ($3::text, $4::text))
      order by lower(p.email), e.workspace_id limit $5`,
    [options.workspaces, options.workspace ?? null, options.after?.[0] ?? null, options.after?.[1] ?? null, options.limit],
  );
  return r.rows.map((x) => ({ personId: x.person_id, email: x.email, workspace: x.workspace_id, role: x.role, status: x.status, origin: x.origin, validUntil: x.valid_until ? x.valid_until.toISOString() : null }));
}
