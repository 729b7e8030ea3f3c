import type { Queryable } from '../db.js';
import type { ObservedGroupRow, ObservedUserRow } from './observed-rows.js';

/** A live group of an account, as rules name it. */
export type RuleInputGroup = Pick<ObservedGroupRow, 'external_id' | 'display_name' | 'aliases'>;

/**
 * What rules may match on of one source account: its name, attributes (`{}` when the caller did
 * not ask for them) and live groups.
 */
export type RuleInputAccount = Pick<ObservedUserRow, 'user_name' | 'company' | 'attributes'> & { groups: RuleInputGroup[] };

export interface RuleInputOptions {
  /** Read each account's `attributes` document too (only rules on app roles or attributes need it). */
  withAttributes: boolean;
}

/**
 * What the rules match on, for each account (`sourceId/accountId`) that is still stored: its
 * userName, company, attributes and the live groups it is a member of. Two statements of index
 * lookups by key (accounts with their group ids, then the groups), joined here rather than in one
 * three-way join: the planner's choice for the latter depends on statistics that lag behind a table
 * growing by a sync, and went quadratic.
 */
export async function ruleInputsOfAccounts(
  tx: Queryable,
  accounts: ReadonlyArray<{ source_id: string; id: string }>,
  options: RuleInputOptions,
): Promise<Map<string, RuleInputAccount>> {
  const inputs = new Map<string, RuleInputAccount>();
  if (accounts.length === 0) return inputs;
  // One row per account with the ids of its groups: names, attributes and groups in one round trip.
  const users = await tx.query<{ source_id: string; id: string; user_name: string; company: string | null; attributes: Record<string, unknown> | null; group_ids: string[] }>(
    `select u.source_id, u.id, u.user_name, u.company, case when $3::boolean then u.attributes end as attributes,
            array(select m.group_id from source_group_members m where m.source_id = u.source_id and m.user_id = u.id) as group_ids
       from unnest($1::text[], $2::uuid[]) as a(source_id, id)
       join source_users u on u.source_id = a.source_id and u.id = a.id`,
    [accounts.map((a) => a.source_id), accounts.map((a) => a.id), options.withAttributes],
  );
  const groupKeys = new Map<string, { source_id: string; group_id: string }>();
  for (const u of users.rows) {
    inputs.set(`${u.source_id}/${u.id}`, { user_name: u.user_name, company: u.company, attributes: u.attributes ?? {}, groups: [] });
    for (const group_id of u.group_ids) groupKeys.set(`${u.source_id}/${group_id}`, { source_id: u.source_id, group_id });
  }
  const groups = new Map<string, RuleInputGroup>();
  if (groupKeys.size > 0) {
    const keys = [...groupKeys.values()];
    const rows = await tx.query<{ source_id: string; id: string } & RuleInputGroup>(
      `select g.source_id, g.id, g.external_id, g.display_name, g.aliases
         from unnest($1::text[], $2::uuid[]) as k(source_id, id)
         join source_groups g on g.source_id = k.source_id and g.id = k.id
        where g.deleted_at is null`,
      [keys.map((k) => k.source_id), keys.map((k) => k.group_id)],
    );
    for (const g of rows.rows) groups.set(`${g.source_id}/${g.id}`, { external_id: g.external_id, display_name: g.display_name, aliases: g.aliases });
  }
  for (const u of users.rows) {
    const input = inputs.get(`${u.source_id}/${u.id}`) as RuleInputAccount;
    for (const group_id of u.group_ids) {
      const g = groups.get(`${u.source_id}/${group_id}`);
      if (g) input.groups.push(g);
    }
  }
  return inputs;
}
