import { hashToken, newToken } from '../domain/secret-tokens.js';
import { emailKey } from '../domain/email.js';
import type { Role } from '../domain/roles.js';
import type { Queryable } from '../store/db.js';
import { insertAudit } from '../store/events/audit-log.js';
import { grantState, logGrantChanges } from '../store/events/grant-log.js';
import { grantsOf, upsertHandGrant } from '../store/granted/grants.js';
import {
  hasPendingInvite, insertInvite, inviteByTokenHash, listPendingInvites as listPendingInviteRows, lockInvite, lockInviteInWorkspace, setInviteStatus, type InviteRow,
} from '../store/granted/invites.js';
import type { MemberView } from '../store/granted/members.js';
import { actorName, authorize, type Actor } from './actor.js';
import { AdminError } from './admin-error.js';
import type { AdminContext } from './context.js';
import { defaultValidity, findOrCreatePerson, lockWorkspace, memberView } from './grants.js';

export interface InviteView {
  id: string;
  workspace: string;
  email: string;
  role: Role;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  invitedBy: string;
  expiresAt: string;
  createdAt: string;
}

function inviteView(r: InviteRow): InviteView {
  return { id: r.id, workspace: r.workspace_id, email: r.email, role: r.role, status: r.status, invitedBy: r.invited_by, expiresAt: r.expires_at.toISOString(), createdAt: r.created_at.toISOString() };
}

/**
 * Invites someone to a workspace as `role` (admins; editors as editor or viewer). The secret token is
 * returned once and stored only as its SHA-256 hash; it expires after `lifecycle.inviteValidity`.
 */
export async function createInvite(ctx: AdminContext, actor: Actor, workspaceId: string, input: { email: string; role: Role }): Promise<{ invite: InviteView; token: string }> {
  const email = emailKey(input.email);
  if (!email) throw new AdminError('invalid_request', `"${input.email}" is not an e-mail address`);
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    await lockWorkspace(tx, workspaceId);
    await authorize(tx, actor, workspaceId, 'invite', input.role);
    if (await hasPendingInvite(tx, workspaceId, email, now)) throw new AdminError('conflict', `${email} already has a pending invite to "${workspaceId}"; revoke it first`);
    const token = newToken('idsinv');
    const invite = inviteView(await insertInvite(tx, {
      workspaceId, email, role: input.role, tokenHash: hashToken(token), invitedBy: actorName(actor), expiresAt: new Date(now.getTime() + ctx.inviteValidityMs), createdAt: now,
    }));
    await insertAudit(tx, [{ actor: actorName(actor), action: 'invite.created', workspace_id: workspaceId, before: null, after: { id: invite.id, email, role: input.role, expiresAt: invite.expiresAt }, cause: 'invited by hand' }]);
    return { invite, token };
  });
}

/** Pending invites of a workspace, oldest first, paged by (created_at, id). */
export async function listPendingInvites(q: Queryable, workspaceId: string, options: { now: Date; after?: [string, string] | undefined; limit: number }): Promise<InviteView[]> {
  return (await listPendingInviteRows(q, workspaceId, options)).map(inviteView);
}

/** Revokes a pending invite (admins; editors those as editor or viewer). */
export async function revokeInvite(ctx: AdminContext, actor: Actor, workspaceId: string, inviteId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await lockWorkspace(tx, workspaceId);
    // Refuse someone who is not a member before looking the invite up (see change-role.ts).
    await authorize(tx, actor, workspaceId, 'view');
    const invite = await lockInviteInWorkspace(tx, inviteId, workspaceId);
    if (!invite) throw new AdminError('not_found', `invite "${inviteId}" not found in "${workspaceId}"`);
    await authorize(tx, actor, workspaceId, 'revoke-invite', invite.role);
    if (invite.status !== 'pending') throw new AdminError('conflict', `the invite is ${invite.status}, not pending`);
    await setInviteStatus(tx, inviteId, 'revoked');
    await insertAudit(tx, [{ actor: actorName(actor), action: 'invite.revoked', workspace_id: workspaceId, before: { id: invite.id, email: invite.email, role: invite.role, status: 'pending' }, after: { id: invite.id, email: invite.email, role: invite.role, status: 'revoked' }, cause: 'revoked by hand' }]);
  });
}

/**
 * Accepts an invite by its secret token: the invited person (created when unknown) gets an active
 * `invite` grant with the invite's role. The system may accept on a person's behalf; a person may
 * accept only an invite addressed to their own e-mail.
 */
export async function acceptInvite(ctx: AdminContext, actor: Actor, token: string): Promise<{ invite: InviteView; member: MemberView }> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    const found = await inviteByTokenHash(tx, hashToken(token));
    if (!found) throw new AdminError('not_found', 'no invite has this token');
    // Lock order as everywhere else: the workspace, then the invite, then the person.
    await lockWorkspace(tx, found.workspace_id);
    const invite = (await lockInvite(tx, found.id)) as InviteRow;
    if (invite.status === 'expired' || (invite.status === 'pending' && invite.expires_at.getTime() <= now.getTime())) {
      throw new AdminError('invite_expired', `the invite expired at ${invite.expires_at.toISOString()}`);
    }
    if (invite.status !== 'pending') throw new AdminError('conflict', `the invite is ${invite.status}, not pending`);
    if (actor.kind === 'person' && actor.email.toLowerCase() !== invite.email.toLowerCase()) {
      throw new AdminError('forbidden', 'denied by rule "invitee-only": the invite is addressed to someone else');
    }
    const person = await findOrCreatePerson(tx, invite.email, ctx.internalDomains);
    const previous = (await grantsOf(tx, person.id, invite.workspace_id)).find((g) => g.origin === 'invite');
    const validUntil = defaultValidity(ctx, now, person);
    const id = await upsertHandGrant(tx, { personId: person.id, workspaceId: invite.workspace_id, origin: 'invite', role: invite.role, validUntil, grantedBy: invite.invited_by, now });
    await setInviteStatus(tx, invite.id, 'accepted');
    const changedRole = previous?.status === 'active' && previous.role !== invite.role;
    const unchanged = previous?.status === 'active' && previous.role === invite.role;
    await logGrantChanges(tx, [{
      actor: actorName(actor),
      cause: `invite ${invite.id} accepted`,
      action: changedRole ? 'membership.role_changed' : 'membership.granted',
      person,
      workspaceId: invite.workspace_id,
      membershipId: id,
      before: previous ? grantState(previous) : null,
      after: { role: invite.role, status: 'active', origin: 'invite', sourceId: null, rule: null, validUntil },
      event: unchanged ? null : changedRole ? 'membership.role_changed' : 'membership.granted',
      ...(changedRole ? { extra: { previousRole: previous?.role } } : previous ? { extra: { previousStatus: previous.status } } : {}),
    }]);
    return { invite: inviteView({ ...invite, status: 'accepted' }), member: (await memberView(tx, invite.workspace_id, person.id)) as MemberView };
  });
}
