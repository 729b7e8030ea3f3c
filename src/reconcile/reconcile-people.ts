import type { AttributeView } from '../domain/account-attributes.js';
import { desiredMemberships, type WorkspaceRules } from '../domain/desired-memberships.js';
import { diffRuleGrants, type RuleGrant } from '../domain/membership-diff.js';
import type { Db, Queryable } from '../store/db.js';
import { correlatePeople } from './correlate-people.js';
import type { PersonChange } from '../ingest/records.js';
import { ruleGrantsOfPeople } from '../store/granted/grants.js';
import { useIndexLookupsOnly } from '../store/index-lookups-only.js';
import { ruleInputsOfAccounts } from '../store/observed/rule-inputs.js';
import { liveWorkspaceIds } from '../store/granted/workspaces.js';
import { toObservedAccount } from './observed-account.js';
import { GrantChangeBatch } from './write-grant-changes.js';

export interface ReconcileContext {
  db: Db;
  workspaces: readonly WorkspaceRules[];
  /** How rules read each source's accounts (attributes, app roles), by source id. */
  attributeViews: ReadonlyMap<string, AttributeView>;
  /** Some rule matches app roles or attributes: read the accounts' attribute documents. */
  readAttributes: boolean;
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
  // Every read below looks a batch of people up by key.
  await useIndexLookupsOnly(tx);
  const people = await correlatePeople(tx, causes, { internalDomains: ctx.internalDomains, now });
  if (people.length === 0) return { people: 0, granted: 0, changed: 0, suspended: 0 };
  const inputs = await ruleInputsOfAccounts(tx, people.flatMap((p) => p.accounts), { withAttributes: ctx.readAttributes });

  const liveWorkspaces = await liveWorkspaceIds(tx);
  const rules = ctx.workspaces.filter((w) => liveWorkspaces.has(w.id));

  const grantsOf = new Map<string, RuleGrant[]>();
  for (const g of await ruleGrantsOfPeople(tx, people.map((p) => p.id))) {
    const grant: RuleGrant = { id: g.id, workspaceId: g.workspace_id, role: g.role, status: g.status, sourceId: g.source_id, rule: g.rule, validUntil: g.valid_until };
    const list = grantsOf.get(g.person_id);
    if (list) list.push(grant);
    else grantsOf.set(g.person_id, [grant]);
  }

  const changes = new GrantChangeBatch();
  for (const person of people) {
    const actor = person.change ? `source:${person.change.sourceId}` : 'rules';
    const cause = person.change?.cause ?? 'reconciliation';
    const observed = person.accounts.flatMap((a) => {
      const input = inputs.get(`${a.source_id}/${a.id}`);
      return input ? [toObservedAccount({ ...input, source_id: a.source_id, id: a.id, active: a.active }, ctx.attributeViews)] : [];
    });
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

