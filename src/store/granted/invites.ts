import type { Role } from '../../domain/roles.js';
import type { Queryable } from '../db.js';

/** An invite as stored: its secret token only as a hash, which never leaves this module's callers. */
export interface InviteRow {
  id: string;
  workspace_id: string;
  email: string;
  role: Role;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  invited_by: string;
  expires_at: Date;
  created_at: Date;
}

const COLUMNS = 'id, workspace_id, email, role, status, invited_by, expires_at, created_at';

/** Whether `email` (lower-cased) has an invite to the workspace that is pending and not yet expired at `now`. */
export async function hasPendingInvite(q: Queryable, workspaceId: string, email: string, now: Date): Promise<boolean> {
  const pending = await q.query(`select 1 from invites where workspace_id = $1 and lower(email) = $2 and status = 'pending' and expires_at > $3`, [workspaceId, email, now]);
  return pending.rowCount > 0;
}

export async function insertInvite(
  q: Queryable,
  invite: { workspaceId: string; email: string; role: Role; tokenHash: string; invitedBy: string; expiresAt: Date; createdAt: Date },
): Promise<InviteRow> {
  const r = await q.query<InviteRow>(
    `insert into invites (workspace_id, email, role, token_hash, invited_by, expires_at, created_at)
     values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
    [invite.workspaceId, invite.email, invite.role, invite.tokenHash, invite.invitedBy, invite.expiresAt, invite.createdAt],
  );
  return r.rows[0] as InviteRow;
}

/** Pending invites of a workspace not yet expired at `now`, oldest first, paged by (created_at, id). */
export async function listPendingInvites(q: Queryable, workspaceId: string, options: { now: Date; after?: [string, string] | undefined; limit: number }): Promise<InviteRow[]> {
  const r = await q.query<InviteRow>(
    `select ${COLUMNS} from invites
      where workspace_id = $1 and status = 'pending' and expires_at > $2
        and ($3::timestamptz is null or (created_at, id) > ($3::timestamptz, $4::uuid))
      order by created_at, id limit $5`,
    [workspaceId, options.now, options.after?.[0] ?? null, options.after?.[1] ?? null, options.limit],
  );
  return r.rows;
}

/** The invite with this id in the workspace, locked. */
export async function lockInviteInWorkspace(tx: Queryable, inviteId: string, workspaceId: string): Promise<InviteRow | undefined> {
  const r = await tx.query<InviteRow>(`select ${COLUMNS} from invites where id = $1 and workspace_id = $2 for update`, [inviteId, workspaceId]);
  return r.rows[0];
}

/** The invite whose secret token hashes to `tokenHash` (not locked: the caller locks its workspace first). */
export async function inviteByTokenHash(q: Queryable, tokenHash: string): Promise<InviteRow | undefined> {
  const r = await q.query<InviteRow>(`select ${COLUMNS} from invites where token_hash = $1`, [tokenHash]);
  return r.rows[0];
}

/** The invite with this id, locked. */
export async function lockInvite(tx: Queryable, inviteId: string): Promise<InviteRow | undefined> {
  const r = await tx.query<InviteRow>(`select ${COLUMNS} from invites where id = $1 for update`, [inviteId]);
  return r.rows[0];
}

export async function setInviteStatus(tx: Queryable, inviteId: string, status: 'accepted' | 'revoked'): Promise<void> {
  await tx.query(`update invites set status = $2, updated_at = now() where id = $1`, [inviteId, status]);
}

/** Revokes every pending invite of a workspace (it is being deleted). */
export async function revokePendingInvites(tx: Queryable, workspaceId: string): Promise<void> {
  await tx.query(`update invites set status = 'revoked', updated_at = now() where workspace_id = $1 and status = 'pending'`, [workspaceId]);
}

/**
 * Marks up to `batchSize` pending invites past `expires_at` at `now` as expired, skipping those
 * another transaction holds; returns the ones it changed.
 */
export async function expireDueInvites(tx: Queryable, now: Date, batchSize: number): Promise<Array<Pick<InviteRow, 'id' | 'workspace_id' | 'email' | 'role'>>> {
  const r = await tx.query<Pick<InviteRow, 'id' | 'workspace_id' | 'email' | 'role'>>(
    `with due as (
       select id from invites where status = 'pending' and expires_at <= $1 order by expires_at, id limit $2 for update skip locked)
     update invites i set status = 'expired', updated_at = now() from due where i.id = due.id and i.status = 'pending'
     returning i.id, i.workspace_id, i.email, i.role`,
    [now, batchSize],
  );
  return r.rows;
}
