import { actorName, authorize, type Actor } from './actor.js';
import { AdminError } from './admin-error.js';
import type { AdminContext } from './context.js';
import { grantState, lockWorkspace, logGrantChanges, upsertHandGrant, type GrantRow } from './grants.js';
import { insertAudit } from '../store/granted-log.js';

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
      const admin = await tx.query(`select 1 from memberships where person_id = $1 and role = 'admin' and status = 'active' limit 1`, [actor.personId]);
      if (admin.rowCount === 0) throw new AdminError('forbidden', 'denied by rule "only-admins-manage-the-workspace": only admins may create a workspace');
    }
    // Only the system brings a deleted workspace back: its audit history stays with its id, and a
    // person who re-created it would become the admin of that history (and read it).
    const created = await tx.query<{ id: string }>(
      `insert into workspaces (id, name, origin) values ($1, $2, 'api')
       on conflict (id) do update set name = excluded.name, deleted_at = null, updated_at = now()
        where workspaces.deleted_at is not null and $3::boolean
       returning id`,
      [input.id, name, actor.kind === 'system'],
    );
    if (created.rowCount === 0) throw new AdminError('conflict', `workspace "${input.id}" already exists, or existed: choose another id`);
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
    await tx.query('update workspaces set name = $2, updated_at = now() where id = $1', [workspaceId, trimmed]);
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
    const grants = await tx.query<GrantRow & { email: string }>(
      `select m.id, m.person_id, m.workspace_id, m.origin, m.role, m.status, m.source_id, m.rule, m.valid_until, p.email
         from memberships m join people p on p.id = m.person_id
        where m.workspace_id = $1 and m.status <> 'removed' order by p.email for update of m`,
      [workspaceId],
    );
    await tx.query(`update memberships set status = 'removed', version = version + 1, updated_at = now() where workspace_id = $1 and status <> 'removed'`, [workspaceId]);
    await tx.query(`update invites set status = 'revoked', updated_at = now() where workspace_id = $1 and status = 'pending'`, [workspaceId]);
    await tx.query('update workspaces set deleted_at = now(), updated_at = now() where id = $1', [workspaceId]);
    await insertAudit(tx, [{ actor: actorName(actor), action: 'workspace.deleted', workspace_id: workspaceId, before: { id: workspaceId, name: ws.name }, after: null, cause: 'deleted by hand' }]);
    await logGrantChanges(
      tx,
      grants.rows.map((g) => ({
        actor: actorName(actor), cause: 'workspace deleted', action: 'membership.removed', person: { id: g.person_id, email: g.email },
        workspaceId, membershipId: g.id, before: grantState(g), after: { ...grantState(g), status: 'removed' }, event: 'membership.removed',
        extra: { previousStatus: g.status },
      })),
    );
  });
}
