import type { Queryable } from '../db.js';
import type { ObservedGroupRow, ObservedUserRow } from './observed-rows.js';

/** A live group an account is in, as rules name it. */
export type AccountGroupRow = Pick<ObservedGroupRow, 'source_id' | 'id' | 'external_id' | 'display_name' | 'aliases'>;

/**
 * A live source account linked to a person, with what the rules may match on it; `attributes` is
 * `{}` when the caller did not ask for attributes.
 */
export type ObservedAccountRow = Pick<ObservedUserRow, 'source_id' | 'id' | 'user_name' | 'active' | 'company' | 'attributes'> & {
  person_id: string;
  groups: AccountGroupRow[];
};

/** A live account as the reconciler orders a person's accounts. */
export type LinkedLiveAccountRow = Pick<ObservedUserRow, 'source_id' | 'id' | 'active'>;

/**
 * The order in which the reconciler receives a person's accounts from correlation (source precedence,
 * then most recently updated), which decides the account a rule is credited to. Over `person_links l`,
 * `source_users su` and `sources s`, by person first.
 */
export const ACCOUNT_ORDER = 'l.person_id, coalesce(s.precedence, 0) desc, su.updated_at desc, su.source_id, su.id';

/** The live accounts linked to a person, in the reconciler's order (`ACCOUNT_ORDER`). */
export async function linkedLiveAccounts(q: Queryable, personId: string): Promise<LinkedLiveAccountRow[]> {
  const r = await q.query<LinkedLiveAccountRow>(
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
