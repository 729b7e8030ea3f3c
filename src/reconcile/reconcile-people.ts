import { desiredMemberships, type ObservedAccount, type WorkspaceRules } from '../domain/desired-memberships.js';
import { diffRuleGrants, type RuleGrant } from '../domain/membership-diff.js';
import type { Role } from '../domain/roles.js';
import type { Db, Queryable } from '../store/db.js';
import { correlatePeople } from './correlate-people.js';
import type { PersonChange } from '../ingest/records.js';
import { GrantChangeBatch } from './write-grant-changes.js';

export interface ReconcileContext {
  db: Db;
  workspaces: readonly WorkspaceRules[];
  internalDomains: readonly string[];
  externalValidityMs: number;
  now: () => Date;
}

export interface ReconcileResult {
  people: number;
  granted: number;
  changed: number;
  suspended: number;
}

interface GroupRow {
  source_id: string;
  external_id: string | null;
  display_name: string;
  aliases: string[];
}

interface GrantRow {
  id: string;
  person_id: string;
  workspace_id: string;
  role: Role;
  status: RuleGrant['status'];
  source_id: string | null;
  rule: string | null;
  valid_until: Date | null;
}

/**
 * Level-triggered reconciliation of a batch of people, in one transaction: recompute each person's
 * desired memberships from all current observed state, diff against their `rules` grants, and write
 * only the difference with audit and outbox rows. People rows are locked in id order, so concurrent
 * workers serialise on shared people without deadlocking, and replays converge to the same state.
 */
export async function reconcilePeople(ctx: ReconcileContext, changes: readonly PersonChange[]): Promise<ReconcileResult> {
  const causes = new Map<string, PersonChange>();
  for (const c of changes) if (!causes.has(c.key)) causes.set(c.key, c);
  if (causes.size === 0) return { people: 0, granted: 0, changed: 0, suspended: 0 };
  return ctx.db.transaction((tx) => reconcileInTransaction(ctx, tx, causes));
}

async function reconcileInTransaction(
  ctx: ReconcileContext,
  tx: Queryable,
  causes: Map<string, PersonChange>,
): Promise<ReconcileResult> {
  const now = ctx.now();
  // Every read below looks a batch of people up by key, so an index lookup is always the right plan.
  // Statistics lag behind tables that a sync grows from nothing (the planner then takes them for
  // empty and scans them whole, once per batch: quadratic in the size of the sync).
  await tx.query('set local enable_seqscan = off');
  const people = await correlatePeople(tx, causes, { internalDomains: ctx.internalDomains, now });
  if (people.length === 0) return { people: 0, granted: 0, changed: 0, suspended: 0 };
  const groupsOf = await groupsOfAccounts(tx, people.flatMap((p) => p.accounts));

  const liveWorkspaces = new Set(
    (await tx.query<{ id: string }>('select id from workspaces where deleted_at is null')).rows.map((r) => r.id),
  );
  const rules = ctx.workspaces.filter((w) => liveWorkspaces.has(w.id));

  const grantsOf = new Map<string, RuleGrant[]>();
  const grants = await tx.query<GrantRow>(
    `select id, person_id, workspace_id, role, status, source_id, rule, valid_until
       from memberships where person_id = any($1::uuid[]) and origin = 'rules'`,
    [people.map((p) => p.id)],
  );
  for (const g of grants.rows) {
    const grant: RuleGrant = { id: g.id, workspaceId: g.workspace_id, role: g.role, status: g.status, sourceId: g.source_id, rule: g.rule, validUntil: g.valid_until };
    const list = grantsOf.get(g.person_id);
    if (list) list.push(grant);
    else grantsOf.set(g.person_id, [grant]);
  }

  const changes = new GrantChangeBatch();
  for (const person of people) {
    const actor = person.change ? `source:${person.change.sourceId}` : 'rules';
    const cause = person.change?.cause ?? 'reconciliation';
    const observed: ObservedAccount[] = person.accounts.map((a) => ({
      sourceId: a.source_id,
      active: a.active,
      groups: (groupsOf.get(`${a.source_id}/${a.id}`) ?? []).map((g) => ({ externalId: g.external_id, displayName: g.display_name, aliases: g.aliases })),
    }));
    const desired = desiredMemberships(observed, rules);
    const diff = diffRuleGrants(grantsOf.get(person.id) ?? [], desired, {
      now,
      externalValidityMs: person.kind === 'external' ? ctx.externalValidityMs : null,
    });
    for (const op of diff) changes.add(op, { personId: person.id, email: person.email, actor, cause });
  }
  await changes.write(tx, now);
  return { people: people.length, ...changes.counts };
}

/**
 * The live groups each account (`sourceId/accountId`) is a member of. Two index lookups joined here
 * rather than one three-way join: the planner's choice for the latter depends on statistics that lag
 * behind a table growing by a sync, and went quadratic.
 */
async function groupsOfAccounts(tx: Queryable, accounts: ReadonlyArray<{ source_id: string; id: string }>): Promise<Map<string, GroupRow[]>> {
  const groupsOf = new Map<string, GroupRow[]>();
  if (accounts.length === 0) return groupsOf;
  const memberOf = await tx.query<{ source_id: string; user_id: string; group_id: string }>(
    `select m.source_id, m.user_id, m.group_id
       from unnest($1::text[], $2::uuid[]) as a(source_id, user_id)
       join source_group_members m on m.source_id = a.source_id and m.user_id = a.user_id`,
    [accounts.map((a) => a.source_id), accounts.map((a) => a.id)],
  );
  const groupKeys = new Map<string, { source_id: string; group_id: string }>();
  for (const m of memberOf.rows) groupKeys.set(`${m.source_id}/${m.group_id}`, m);
  const groups = new Map<string, GroupRow>();
  if (groupKeys.size > 0) {
    const rows = await tx.query<{ source_id: string; id: string; external_id: string | null; display_name: string; aliases: string[] }>(
      `select g.source_id, g.id, g.external_id, g.display_name, g.aliases
         from unnest($1::text[], $2::uuid[]) as k(source_id, id)
         join source_groups g on g.source_id = k.source_id and g.id = k.id
        where g.deleted_at is null`,
      [[...groupKeys.values()].map((k) => k.source_id), [...groupKeys.values()].map((k) => k.group_id)],
    );
    for (const g of rows.rows) groups.set(`${g.source_id}/${g.id}`, { source_id: g.source_id, external_id: g.external_id, display_name: g.display_name, aliases: g.aliases });
  }
  for (const m of memberOf.rows) {
    const g = groups.get(`${m.source_id}/${m.group_id}`);
    if (!g) continue;
    const k = `${m.source_id}/${m.user_id}`;
    const list = groupsOf.get(k);
    if (list) list.push(g);
    else groupsOf.set(k, [g]);
  }
  return groupsOf;
}
