import type { Principal } from '../domain/principal.js';
import { decide, NOT_A_MEMBER, type PolicyAction, type PolicyDecision } from '../domain/role-policy.js';
import type { Role } from '../domain/roles.js';
import type { Queryable } from '../store/db.js';
import { workspacesWithActiveGrant } from '../store/granted/grants.js';
import { effectiveRole } from '../store/granted/members.js';
import { AdminError } from './admin-error.js';

/** Who performs an admin operation: the system token, or a person acting under the role matrix. */
export type Actor = Principal;

/** How the actor is written in `audit_log.actor` and `granted_by`. */
export function actorName(actor: Actor): string {
  return actor.kind === 'system' ? 'system' : `user:${actor.email}`;
}

/** The policy decision for `actor` doing `action` to a target with `targetRole` in a workspace. */
async function policyFor(q: Queryable, actor: Actor, workspaceId: string, action: PolicyAction, targetRole: Role): Promise<PolicyDecision> {
  if (actor.kind === 'system') return { allowed: true };
  const role = await effectiveRole(q, actor.personId, workspaceId);
  if (role === null) return NOT_A_MEMBER;
  return decide(action, role, targetRole);
}

export function forbidden(decision: Extract<PolicyDecision, { allowed: false }>): AdminError {
  return new AdminError('forbidden', `denied by rule "${decision.rule}": ${decision.reason}`);
}

/** Throws a 403 naming the rule unless the role matrix allows the action. */
export async function authorize(q: Queryable, actor: Actor, workspaceId: string, action: PolicyAction, targetRole: Role = 'viewer'): Promise<void> {
  const decision = await policyFor(q, actor, workspaceId, action, targetRole);
  if (!decision.allowed) throw forbidden(decision);
}

/** Workspaces whose members the actor may see; `null` means all of them (the system). */
export async function visibleWorkspaces(q: Queryable, actor: Actor): Promise<string[] | null> {
  if (actor.kind === 'system') return null;
  return workspacesWithActiveGrant(q, actor.personId);
}
