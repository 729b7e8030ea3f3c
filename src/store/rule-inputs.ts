import type { Queryable } from './db.js';

export interface RuleInputGroup {
  external_id: string | null;
  display_name: string;
  aliases: string[];
}

/** What rules may match on of one source account: its name, attributes and live groups. */
export interface RuleInputAccount {
  user_name: string;
  company: string | null;
  /** The stored `attributes` document; `{}` when the caller did not ask for attributes. */
  attributes: Record<string, unknown>;
  groups: RuleInputGroup[];
}

export interface RuleInputOptions {
  /** Read each account's `attributes` document too (only rules on app roles or attributes need it). */
  withAttributes: boolean;
}

/**
 * What the rules match on, for each account (`sourceId/accountId`) that is still stored: its
 * userName, company, attributes and the live groups it is a member of. Index lookups by key, joined
 * here rather than in one three-way join: the planner's choice for the latter depends on statistics
 * that lag behind a table growing by a sync, and went quadratic.
 */
export async function ruleInputsOfAccounts(
  tx: Queryable,
  accounts: ReadonlyArray<{ source_id: string; id: string }>,
  options: RuleInputOptions,
): Promise<Map<string, RuleInputAccount>> {
  const inputs = new Map<string, RuleInputAccount>();
  if (accounts.length === 0) return inputs;
  const sources = accounts.map((a) => a.source_id);
  const ids = accounts.map((a) => a.id);
  const users = await tx.query<{ source_id: string; id: string; user_name: string; company: string | null; attributes: Record<string, unknown> | null }>(
    `select u.source_id, u.id, u.user_name, u.company, case when $3::boolean then u.attributes end as attributes
       from unnest($1::text[], $2::uuid[]) as a(source_id, id)
       join source_users u on u.source_id = a.source_id and u.id = a.id`,
    [sources, ids, options.withAttributes],
  );
  for (const u of users.rows) {
    inputs.set(`${u.source_id}/${u.id}`, { user_name: u.user_name, company: u.company, attributes: u.attributes ?? {}, groups: [] });
  }

  const memberOf = await tx.query<{ source_id: string; user_id: string; group_id: string }>(
    `select m.source_id, m.user_id, m.group_id
       from unnest($1::text[], $2::uuid[]) as a(source_id, user_id)
       join source_group_members m on m.source_id = a.source_id and m.user_id = a.user_id`,
    [sources, ids],
  );
  const groupKeys = new Map<string, { source_id: string; group_id: string }>();
  for (const m of memberOf.rows) groupKeys.set(`${m.source_id}/${m.group_id}`, m);
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
  for (const m of memberOf.rows) {
    const g = groups.get(`${m.source_id}/${m.group_id}`);
    if (g) inputs.get(`${m.source_id}/${m.user_id}`)?.groups.push(g);
  }
  return inputs;
}
