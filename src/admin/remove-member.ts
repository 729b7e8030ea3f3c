import { actorName, authorize, type Actor } from './actor.js';
import { AdminError } from './admin-error.js';
import type { AdminContext } from './context.js';
import { grantState, logGrantChanges } from '../store/events/grant-log.js';
import { grantsOf, removeGrants } from '../store/granted/grants.js';
import { effectiveGrant, guardLastAdmin, lockPerson, lockWorkspace, ruleManaged } from './grants.js';

/**
 * Removes a member's hand grants (`manual` and `invite`). While a source still asserts the person
 * (an active `rules` grant) the membership is the rules' to end: 409 naming the source and rule.
 * The workspace's last admin cannot be removed.
 */
export async function removeMember(ctx: AdminContext, actor: Actor, workspaceId: string, personId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await lockWorkspace(tx, workspaceId);
    // Refuse someone who is not a member before looking the target up (see change-role.ts).
    await authorize(tx, actor, workspaceId, 'view');
    const person = await lockPerson(tx, personId);
    const grants = await grantsOf(tx, personId, workspaceId);
    const live = grants.filter((g) => g.status !== 'removed');
    if (live.length === 0) throw new AdminError('not_found', `${person.email} is not a member of "${workspaceId}"`);
    const current = (await effectiveGrant(tx, workspaceId, personId, live)) ?? live[0];
    await authorize(tx, actor, workspaceId, 'remove-member', current?.role ?? 'viewer');
    const rules = live.find((g) => g.origin === 'rules' && g.status === 'active');
    if (rules) throw ruleManaged(rules);
    const hand = live.filter((g) => g.origin !== 'rules');
    if (hand.length === 0) throw new AdminError('not_found', `${person.email} has no membership granted by hand in "${workspaceId}"`);
    if (current?.status === 'active' && current.role === 'admin') await guardLastAdmin(tx, workspaceId, personId, 'removed');
    await removeGrants(tx, hand.map((g) => g.id));
    await logGrantChanges(
      tx,
      hand.map((g) => ({
        actor: actorName(actor),
        cause: 'removed by hand',
        action: 'membership.removed',
        person,
        workspaceId,
        membershipId: g.id,
        before: grantState(g),
        after: { ...grantState(g), status: 'removed' },
        event: 'membership.removed',
        extra: { previousStatus: g.status },
      })),
    );
  });
}
