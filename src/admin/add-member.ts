import type { Role } from '../domain/roles.js';
import type { MemberView } from '../store/granted/members.js';
import { actorName, authorize, type Actor } from './actor.js';
import { AdminError } from './admin-error.js';
import type { AdminContext } from './context.js';
import { grantState, logGrantChanges } from '../store/events/grant-log.js';
import { grantsOf, upsertHandGrant } from '../store/granted/grants.js';
import { checkValidUntil, defaultValidity, effectiveGrant, findOrCreatePerson, lockWorkspace, memberView, ruleManaged } from './grants.js';

export interface AddMemberInput {
  email: string;
  role: Role;
  /** ISO-8601; default: `externalValidity` from now for external people, none for internal ones. */
  validUntil?: string | undefined;
}

/** Adds a person (created when unknown) to a workspace by hand: a `manual` grant. */
export async function addMember(ctx: AdminContext, actor: Actor, workspaceId: string, input: AddMemberInput): Promise<MemberView> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    await lockWorkspace(tx, workspaceId);
    await authorize(tx, actor, workspaceId, 'assign-role', input.role);
    const person = await findOrCreatePerson(tx, input.email, ctx.internalDomains);
    const grants = await grantsOf(tx, person.id, workspaceId);
    const current = await effectiveGrant(tx, workspaceId, person.id, grants);
    if (current?.origin === 'rules') throw ruleManaged(current);
    if (current) throw new AdminError('already_member', `${person.email} is already a member of "${workspaceId}" (as ${current.role}); change the role instead`);
    const validUntil = input.validUntil === undefined ? defaultValidity(ctx, now, person) : checkValidUntil(ctx, now, input.validUntil);
    const previous = grants.find((g) => g.origin === 'manual');
    const id = await upsertHandGrant(tx, { personId: person.id, workspaceId, origin: 'manual', role: input.role, validUntil, grantedBy: actorName(actor), now });
    await logGrantChanges(tx, [{
      actor: actorName(actor),
      cause: 'added by hand',
      action: 'membership.granted',
      person,
      workspaceId,
      membershipId: id,
      before: previous ? grantState(previous) : null,
      after: { role: input.role, status: 'active', origin: 'manual', sourceId: null, rule: null, validUntil },
      event: 'membership.granted',
      ...(previous ? { extra: { previousStatus: previous.status } } : {}),
    }]);
    return (await memberView(tx, workspaceId, person.id)) as MemberView;
  });
}
