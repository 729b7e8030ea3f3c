import type { Principal } from '../domain/principal.js';
import { decide, NOT_A_MEMBER, POLICY_ACTIONS, type PolicyAction, type PolicyDecision } from '../domain/role-policy.js';
import { ROLES, type Role } from '../domain/roles.js';
import type { Queryable } from '../store/db.js';
import { effectiveRole, listMembers } from '../store/granted/members.js';

export interface WorkspaceAbilities {
  /** The principal's effective role in the workspace; `system` for operators and the admin token. */
  role: Role | 'system' | null;
  /** Whether the workspace has exactly one active admin (who can be neither removed nor demoted). */
  lastAdminId: string | null;
  /** Per action, per target role: allowed, or the rule and reason that deny it (the role matrix). */
  actions: Record<PolicyAction, Record<Role, PolicyDecision>>;
}

/**
 * What the console offers a principal in a workspace, decided by the same role matrix the admin API
 * enforces (`decide`), so that the page shows only what the API will accept and says why the rest
 * is not allowed. The API still decides every request.
 */
export async function workspaceAbilities(q: Queryable, principal: Principal, workspaceId: string): Promise<WorkspaceAbilities> {
  const role = principal.kind === 'system' ? 'system' : await effectiveRole(q, principal.personId, workspaceId);
  const admins = await listMembers(q, workspaceId, { role: 'admin', status: 'active', limit: 2 });
  const actions = {} as Record<PolicyAction, Record<Role, PolicyDecision>>;
  for (const action of POLICY_ACTIONS) {
    const byTarget = {} as Record<Role, PolicyDecision>;
    for (const target of ROLES) byTarget[target] = role === 'system' ? { allowed: true } : role === null ? NOT_A_MEMBER : decide(action, role, target);
    actions[action] = byTarget;
  }
  return { role, lastAdminId: admins.length === 1 ? (admins[0]?.personId ?? null) : null, actions };
}
