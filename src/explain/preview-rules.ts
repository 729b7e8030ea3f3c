import type { Config } from '../config/schema.js';
import { desiredMemberships, type WorkspaceRules } from '../domain/desired-memberships.js';
import { diffRuleGrants, type DiffContext, type GrantChange, type MembershipStatus, type RuleGrant } from '../domain/membership-diff.js';
import type { Role } from '../domain/roles.js';
import { reconcileContext } from '../reconcile/context.js';
import type { Db } from '../store/db.js';
import type { ObservedAccountRow } from '../store/observed/accounts.js';
import { forEachObservedBatch, type PreviewPerson } from '../store/observed/for-preview.js';
import { toObservedAccount } from '../reconcile/observed-account.js';
import type { AttributeView } from '../domain/account-attributes.js';

export type PreviewOutcome = 'granted' | 'role_changed' | 'suspended' | 'unchanged';

/** What a candidate rule set would do to one person's `rules` grant in one workspace. */
export interface PreviewEntry {
  personId: string;
  email: string;
  workspace: string;
  outcome: PreviewOutcome;
  /** The role after the change (for a suspension, the role suspended). */
  role: Role;
  /** The role before a role change. */
  previousRole?: Role;
  /** A grant given again: the status it had (`suspended`, `removed`). */
  previousStatus?: MembershipStatus;
  /** The source and rule that would grant the role; for a suspension, those that granted it. */
  sourceId: string | null;
  rule: string | null;
  validUntil: string | null;
}

export interface PreviewTotals {
  granted: number;
  roleChanged: number;
  suspended: number;
  unchanged: number;
}

export interface RulesPreview {
  /** People read. */
  people: number;
  totals: PreviewTotals;
  /** Per workspace; only workspaces with at least one rule grant before or after. */
  workspaces: Record<string, PreviewTotals>;
  /** Every grant, role change and suspension, ordered by e-mail then workspace. */
  changes: PreviewEntry[];
  /** Grants that would stay as they are, when asked for (else omitted). */
  unchanged?: PreviewEntry[];
}

export interface PreviewOptions {
  now: Date;
  /** List the grants that stay, not only count them. */
  includeUnchanged?: boolean;
}

/**
 * What the reconciler would do to everyone's `rules` grants once the daemon runs with `candidate`:
 * from current observed state, with the reconciler's own pure functions (the rule matcher and the
 * grant diff) and the candidate's rules and lifecycle. Reads in one read-only transaction; writes
 * nothing. Every workspace of the candidate counts as live, as it will be after a restart with it.
 */
export async function previewRules(db: Db, candidate: Config, options: PreviewOptions): Promise<RulesPreview> {
  const ctx = reconcileContext(db, candidate, () => options.now);
  const preview: RulesPreview = { people: 0, totals: zero(), workspaces: {}, changes: [], ...(options.includeUnchanged ? { unchanged: [] } : {}) };
  const unchanged = preview.unchanged;
  const sink: PreviewSink = {
    change(entry) {
      count(preview, entry.workspace, entry.outcome);
      preview.changes.push(entry);
    },
    unchanged: unchanged
      ? (workspaceId, entry) => {
          count(preview, workspaceId, 'unchanged');
          unchanged.push(entry());
        }
      : (workspaceId) => count(preview, workspaceId, 'unchanged'),
  };
  await forEachObservedBatch(db, { withAttributes: ctx.readAttributes }, (batch) => {
    for (const person of batch.people) {
      preview.people++;
      const diffContext = { now: options.now, externalValidityMs: person.kind === 'external' ? ctx.externalValidityMs : null };
      previewPerson(person, batch.accounts.get(person.id) ?? [], batch.ruleGrants.get(person.id) ?? [], { workspaces: ctx.workspaces, attributeViews: ctx.attributeViews }, diffContext, sink);
    }
  });
  const order = (a: PreviewEntry, b: PreviewEntry) => (a.email < b.email ? -1 : a.email > b.email ? 1 : a.workspace < b.workspace ? -1 : a.workspace > b.workspace ? 1 : 0);
  preview.changes.sort(order);
  preview.unchanged?.sort(order);
  return preview;
}

/** Where `previewPerson` reports each outcome. */
export interface PreviewSink {
  /** A grant, role change or suspension. */
  change(entry: PreviewEntry): void;
  /** A grant that stays as it is; `entry` builds its description, for a caller that lists them. */
  unchanged(workspaceId: string, entry: () => PreviewEntry): void;
}

/**
 * One person's outcome in every workspace where they hold or would hold a rule grant: the rules'
 * desired memberships diffed against the person's rule grants, as the reconciler does. Pure.
 */
function previewPerson(
  person: PreviewPerson,
  accounts: readonly ObservedAccountRow[],
  grants: readonly RuleGrant[],
  rules: { workspaces: readonly WorkspaceRules[]; attributeViews: ReadonlyMap<string, AttributeView> },
  diffContext: DiffContext,
  sink: PreviewSink,
): void {
  const desired = desiredMemberships(accounts.map((a) => toObservedAccount(a, rules.attributeViews)), rules.workspaces);
  const diff = diffRuleGrants(grants, desired, diffContext);
  const changed: string[] = [];
  for (const op of diff) {
    const entry = entryOf(op, person);
    if (entry) {
      sink.change(entry);
      changed.push(entry.workspace);
    }
  }
  for (const want of desired) {
    if (changed.includes(want.workspaceId)) continue;
    const grant = grants.find((g) => g.workspaceId === want.workspaceId);
    if (!grant) continue;
    sink.unchanged(want.workspaceId, () => ({
      personId: person.id, email: person.email, workspace: want.workspaceId, outcome: 'unchanged', role: grant.role, sourceId: want.sourceId, rule: want.rule, validUntil: iso(grant.validUntil),
    }));
  }
}

function entryOf(op: GrantChange, person: PreviewPerson): PreviewEntry | undefined {
  const { id: personId, email } = person;
  switch (op.kind) {
    case 'grant':
      return { personId, email, workspace: op.desired.workspaceId, outcome: 'granted', role: op.desired.role, sourceId: op.desired.sourceId, rule: op.desired.rule, validUntil: iso(op.validUntil) };
    case 'reactivate':
      return { personId, email, workspace: op.grant.workspaceId, outcome: 'granted', role: op.desired.role, previousStatus: op.grant.status, sourceId: op.desired.sourceId, rule: op.desired.rule, validUntil: iso(op.validUntil) };
    case 'change-role':
      return { personId, email, workspace: op.grant.workspaceId, outcome: 'role_changed', role: op.desired.role, previousRole: op.grant.role, sourceId: op.desired.sourceId, rule: op.desired.rule, validUntil: iso(op.grant.validUntil) };
    case 'suspend':
      return { personId, email, workspace: op.grant.workspaceId, outcome: 'suspended', role: op.grant.role, sourceId: op.grant.sourceId, rule: op.grant.rule, validUntil: iso(op.grant.validUntil) };
    case 'retarget':
      // Another rule or source now gives the same role: the grant stays (counted with the unchanged).
      return undefined;
  }
}

function count(preview: RulesPreview, workspaceId: string, outcome: PreviewOutcome): void {
  const ws = (preview.workspaces[workspaceId] ??= zero());
  const key = outcome === 'role_changed' ? 'roleChanged' : outcome;
  preview.totals[key]++;
  ws[key]++;
}

function zero(): PreviewTotals {
  return { granted: 0, roleChanged: 0, suspended: 0, unchanged: 0 };
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}
