import type { Queryable } from '../db.js';

/**
 * A live group of observed state (`source_groups`), as rules name it; the other group rows of the
 * observed reads pick from it.
 */
export interface ObservedGroupRow {
  source_id: string;
  id: string;
  external_id: string | null;
  display_name: string;
  aliases: string[];
}

/** A live source account linked to a person, with what the rules may match on it. */
export interface ObservedAccountRow {
  person_id: string;
  source_id: string;
  id: string;
  user_name: string;
  active: boolean;
  company: string | null;
  /** `{}` when the caller did not ask for attributes. */
  attributes: Record<string, unknown>;
  groups: ObservedGroupRow[];
}

/**
 * The order in which the reconciler receives a person's accounts from correlation (source precedence,
 * then most recently updated), which decides the account a rule is credited to. Over `person_links l`,
 * `source_users su` and `sources s`, by person first.
 */
export const ACCOUNT_ORDER = 'l.person_id, coalesce(s.precedence, 0) desc, su.updated_at desc, su.source_id, su.id';

/** The live accounts linked to a person, in the reconciler's order (`ACCOUNT_ORDER`). */
export async function linkedLiveAccounts(q: Queryable, personId: string): Promise<Array<{ source_id: string; id: string; active: boolean }>> {
  const r = await q.query<{ source_id: string; id: string; active: boolean }>(
    `select su.source_id, su.id, su.active
       from person_links l
       join source_users su on su.source_id = l.source_id and su.id = l.source_user_id and su.deleted_at is null
       left join sources s on s.id = su.source_id
      where l.person_id = $1
      order by ${ACCOUNT_ORDER}`,
    [personId],
  );
  return r.rows;
}
