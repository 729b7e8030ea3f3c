import type { Queryable } from './db.js';

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
 * A workspace's effective memberships: per person, the grant that gives the highest role among the
 * active ones (else the most recent other grant), with its origin. Removed ones only when asked for.
 * Ordered by e-mail; returns up to `limit` rows.
 */
export async function listMembers(q: Queryable, workspaceId: string, options: ListMembersOptions): Promise<MemberView[]> {
  const result = await q.query<{ person_id: string; email: string; role: string; status: string; origin: string; valid_until: Date | null }>(
    `select e.* from (
       select distinct on (m.person_id) m.person_id, p.email, m.role, m.status, m.origin, m.valid_until,
              p.given_name, p.family_name, p.display_name
         from memberships m join people p on p.id = m.person_id
        where m.workspace_id = $1 and ($7::uuid is null or m.person_id = $7)
        order by m.person_id, (m.status = 'active') desc,
                 case m.role when 'admin' then 3 when 'editor' then 2 else 1 end desc,
                 (m.origin = 'rules') desc, m.updated_at desc
     ) e
     where ($2::text is null or e.role = $2)
       and (case when $3::text is null then e.status <> 'removed' else e.status = $3 end)
       and ($4::text is null or e.email ilike '%' || $4 || '%' or e.display_name ilike '%' || $4 || '%'
            or (coalesce(e.given_name, '') || ' ' || coalesce(e.family_name, '')) ilike '%' || $4 || '%')
       and ($5::text is null or e.email > $5)
     order by e.email
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

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
