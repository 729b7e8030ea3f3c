import type { DesiredMembership } from './desired-memberships.js';
import type { Role } from './roles.js';

export const MEMBERSHIP_STATUSES = ['active', 'suspended', 'expired', 'removed'] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/** A `rules` grant as stored. */
export interface RuleGrant {
  id: string;
  workspaceId: string;
  role: Role;
  status: MembershipStatus;
  sourceId: string | null;
  rule: string | null;
  validUntil: Date | null;
}

export type GrantChange =
  | { kind: 'grant'; desired: DesiredMembership; validUntil: Date | null }
  | { kind: 'reactivate'; grant: RuleGrant; desired: DesiredMembership; validUntil: Date | null }
  | { kind: 'change-role'; grant: RuleGrant; desired: DesiredMembership }
  | { kind: 'retarget'; grant: RuleGrant; desired: DesiredMembership }
  | { kind: 'suspend'; grant: RuleGrant };

export interface DiffContext {
  now: Date;
  /** External people's access ends this long after it is first granted; `null` for internal people. */
  externalValidityMs: number | null;
}

/**
 * What must change so that a person's `rules` grants match what the rules want. Pure.
 * - wanted and missing (or removed) → granted, with a validity for external people;
 * - wanted and suspended → active again (validity kept: lifecycle expires it if it has passed);
 * - wanted with another role → role changed (an expired grant keeps its status: only an admin extends it);
 * - no longer wanted and active → suspended at once (the lifecycle removes it after the grace period).
 */
export function diffRuleGrants(current: readonly RuleGrant[], desired: readonly DesiredMembership[], ctx: DiffContext): GrantChange[] {
  const changes: GrantChange[] = [];
  const byWorkspace = new Map(current.map((g) => [g.workspaceId, g]));
  const freshValidity = ctx.externalValidityMs === null ? null : new Date(ctx.now.getTime() + ctx.externalValidityMs);
  for (const want of desired) {
    const grant = byWorkspace.get(want.workspaceId);
    byWorkspace.delete(want.workspaceId);
    if (!grant) {
      changes.push({ kind: 'grant', desired: want, validUntil: freshValidity });
    } else if (grant.status === 'removed') {
      changes.push({ kind: 'reactivate', grant, desired: want, validUntil: freshValidity });
    } else if (grant.status === 'suspended') {
      changes.push({ kind: 'reactivate', grant, desired: want, validUntil: grant.validUntil });
    } else if (grant.role !== want.role) {
      changes.push({ kind: 'change-role', grant, desired: want });
    } else if (grant.sourceId !== want.sourceId || grant.rule !== want.rule) {
      changes.push({ kind: 'retarget', grant, desired: want });
    }
  }
  for (const grant of byWorkspace.values()) {
    if (grant.status === 'active') changes.push({ kind: 'suspend', grant });
  }
  return changes;
}
