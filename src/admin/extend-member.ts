import type { MemberView } from '../store/granted/members.js';
import { actorName, authorize, type Actor } from './actor.js';
import { AdminError } from './admin-error.js';
import type { AdminContext } from './context.js';
import { grantState, logGrantChanges } from '../store/events/grant-log.js';
import { extendGrants, grantsOf } from '../store/granted/grants.js';
import { checkValidUntil, lockPerson, lockWorkspace, memberView } from './grants.js';

/**
 * Sets a member's validity (admins only, at most `lifecycle.maxExtension` from now, else 422). It
 * applies to every grant of theirs that has not been removed — rule grants included, since validity
 * is lifecycle, not role — and re-activates grants that had expired. A new reminder is due before the
 * new end.
 */
export async function extendMember(ctx: AdminContext, actor: Actor, workspaceId: string, personId: string, validUntil: unknown): Promise<MemberView> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    await lockWorkspace(tx, workspaceId);
    await authorize(tx, actor, workspaceId, 'extend');
    const person = await lockPerson(tx, personId);
    const until = checkValidUntil(ctx, now, validUntil);
    const grants = (await grantsOf(tx, personId, workspaceId)).filter((g) => g.status === 'active' || g.status === 'expired');
    if (grants.length === 0) throw new AdminError('not_found', `${person.email} has no active or expired membership in "${workspaceId}"`);
    await extendGrants(tx, grants.map((g) => g.id), until);
    await logGrantChanges(
      tx,
      grants.map((g) => ({
        actor: actorName(actor),
        cause: 'validity extended',
        action: 'membership.extended',
        person,
        workspaceId,
        membershipId: g.id,
        before: grantState(g),
        after: { ...grantState(g), status: 'active', validUntil: until },
        // Only a grant that comes back from expiry changes access; a longer validity is in the audit log.
        event: g.status === 'expired' ? 'membership.granted' : null,
        extra: { previousStatus: g.status },
      })),
    );
    return (await memberView(tx, workspaceId, personId)) as MemberView;
  });
}
