import type { Role } from '../domain/roles.js';
import type { MemberView } from '../store/granted/members.js';
import { actorName, authorize, type Actor } from './actor.js';
import { AdminError } from './admin-error.js';
import type { AdminContext } from './context.js';
import { grantState, logGrantChanges } from '../store/events/grant-log.js';
import { grantsOf, setRole } from '../store/granted/grants.js';
import { effectiveGrant, guardLastAdmin, lockPerson, lockWorkspace, memberView, ruleManaged } from './grants.js';

/**
 * Changes a member's role by changing the hand grant (`manual` or `invite`) that gives their
 * effective role. A membership the rules hold is refused (409 naming the source and rule), and so is
 * demoting the workspace's last admin.
 */
export async function changeRole(ctx: AdminContext, actor: Actor, workspaceId: string, personId: string, role: Role): Promise<MemberView> {
  return ctx.db.transaction(async (tx) => {
    await lockWorkspace(tx, workspaceId);
    // Someone who is not a member is refused before the target is looked up: else the answer (404
    // naming the person, or 403) would tell them who is a member of a workspace they cannot see.
    await authorize(tx, actor, workspaceId, 'view');
    const person = await lockPerson(tx, personId);
    const grants = await grantsOf(tx, personId, workspaceId);
    const current = await effectiveGrant(tx, workspaceId, personId, grants);
    if (!current) throw new AdminError('not_found', `${person.email} is not an active member of "${workspaceId}"`);
    await authorize(tx, actor, workspaceId, 'change-role', current.role);
    await authorize(tx, actor, workspaceId, 'assign-role', role);
    if (current.origin === 'rules') throw ruleManaged(current);
    if (current.role === role) return (await memberView(tx, workspaceId, personId)) as MemberView;
    const stillAdmin = role === 'admin' || grants.some((g) => g.id !== current.id && g.status === 'active' && g.role === 'admin');
    if (current.role === 'admin' && !stillAdmin) await guardLastAdmin(tx, workspaceId, personId, 'demoted');
    await setRole(tx, current.id, role);
    await logGrantChanges(tx, [{
      actor: actorName(actor),
      cause: 'changed by hand',
      action: 'membership.role_changed',
      person,
      workspaceId,
      membershipId: current.id,
      before: grantState(current),
      after: { ...grantState(current), role },
      event: 'membership.role_changed',
      extra: { previousRole: current.role },
    }]);
    return (await memberView(tx, workspaceId, personId)) as MemberView;
  });
}
