import { actorName, authorize, type Actor } from './actor.js';
import { AdminError } from './admin-error.js';
import type { AdminContext } from './context.js';
import { lockWorkspace } from './grants.js';
import { insertAudit } from '../store/events/audit-log.js';
import { grantState, logGrantChanges } from '../store/events/grant-log.js';
import { isAdminSomewhere, lockLiveGrantsOfWorkspace, removeGrantsOfWorkspace, upsertHandGrant } from '../store/granted/grants.js';
import { revokePendingInvites } from '../store/granted/invites.js';
import { insertApiWorkspace, markWorkspaceDeleted, renameWorkspace as setWorkspaceName } from '../store/granted/workspaces.js';

export interface WorkspaceView {
  id: string;
  name: string;
  managedBy: 'config' | 'api';
}

const WORKSPACE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * Creates a workspace. The system may; so may a person who is an admin of some workspace, and they
 * become the new workspace's first admin (a `manual` grant), so that it never starts without one.
 */
export async function createWorkspace(ctx: AdminContext, actor: Actor, input: { id: string; name: string }): Promise<WorkspaceView> {
  if (!WORKSPACE_ID.test(input.id)) throw new AdminError('invalid_request', 'id must be lower-case letters, digits, "-" or "_" (at most 63)');
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) throw new AdminError('invalid_request', 'name must be 1 to 200 characters');
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    if (actor.kind === 'person') {
      if (!(await isAdminSomewhere(tx, actor.personId))) throw new AdminError('forbidden', 'denied by rule "only-admins-manage-the-workspace": only admins may create a workspace');
    }
    // Only the system brings a deleted workspace back: its audit history stays with its id, and a
    // person who re-created it would become the admin of that history (and read it).
    if (!(await insertApiWorkspace(tx, input.id, name, actor.kind === 'system'))) throw new AdminError('conflict', `workspace "${input.id}" already exists, or existed: choose another id`);
    await insertAudit(tx, [{ actor: actorName(actor), action: 'workspace.created', workspace_id: input.id, before: null, after: { id: input.id, name }, cause: 'created by hand' }]);
    if (actor.kind === 'person') {
      const id = await upsertHandGrant(tx, { personId: actor.personId, workspaceId: input.id, origin: 'manual', role: 'admin', validUntil: null, grantedBy: actorName(actor), now });
      await logGrantChanges(tx, [{
        actor: actorName(actor), cause: 'creator of the workspace', action: 'membership.granted', person: { id: actor.personId, email: actor.email },
        workspaceId: input.id, membershipId: id, before: null,
        after: { role: 'admin', status: 'active', origin: 'manual', sourceId: null, rule: null, validUntil: null }, event: 'membership.granted',
      }]);
    }
    return { id: input.id, name, managedBy: 'api' };
  });
}

/** Renames a workspace (admins). A workspace declared in the config file is renamed there. */
export async function renameWorkspace(ctx: AdminContext, actor: Actor, workspaceId: string, name: string): Promise<WorkspaceView> {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) throw new AdminError('invalid_request', 'name must be 1 to 200 characters');
  return ctx.db.transaction(async (tx) => {
    const ws = await lockWorkspace(tx, workspaceId);
    await authorize(tx, actor, workspaceId, 'manage-workspace');
    if (ws.origin === 'config') throw new AdminError('conflict', `workspace "${workspaceId}" is declared in the config file; rename it there`);
    await setWorkspaceName(tx, workspaceId, trimmed);
    await insertAudit(tx, [{ actor: actorName(actor), action: 'workspace.renamed', workspace_id: workspaceId, before: { name: ws.name }, after: { name: trimmed }, cause: 'renamed by hand' }]);
    return { id: workspaceId, name: trimmed, managedBy: ws.origin };
  });
}

/** Deletes a workspace (admins): every membership in it is removed, with events; pending invites are revoked. */
export async function deleteWorkspace(ctx: AdminContext, actor: Actor, workspaceId: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const ws = await lockWorkspace(tx, workspaceId);
    await authorize(tx, actor, workspaceId, 'manage-workspace');
    if (ws.origin === 'config') throw new AdminError('conflict', `workspace "${workspaceId}" is declared in the config file; remove it there`);
    const grants = await lockLiveGrantsOfWorkspace(tx, workspaceId);
    await removeGrantsOfWorkspace(tx, workspaceId);
    await revokePendingInvites(tx, workspaceId);
    await markWorkspaceDeleted(tx, workspaceId);
    await insertAudit(tx, [{ actor: actorName(actor), action: 'workspace.deleted', workspace_id: workspaceId, before: { id: workspaceId, name: ws.name }, after: null, cause: 'deleted by hand' }]);
    await logGrantChanges(
      tx,
      grants.map((g) => ({
        actor: actorName(actor), cause: 'workspace deleted', action: 'membership.removed', person: { id: g.person_id, email: g.email },
        workspaceId, membershipId: g.id, before: grantState(g), after: { ...grantState(g), status: 'removed' }, event: 'membership.removed',
        extra: { previousStatus: g.status },
      })),
    );
  });
}
