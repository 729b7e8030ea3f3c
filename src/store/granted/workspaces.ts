import type { Queryable } from '../db.js';

/** A live workspace; `origin` says who manages it: the config file or the admin API. */
export interface WorkspaceRow {
  id: string;
  name: string;
  origin: 'config' | 'api';
}

/** Locks a live workspace: every change to its admins serialises on this row (last-admin guard). */
export async function lockLiveWorkspace(tx: Queryable, workspaceId: string): Promise<WorkspaceRow | undefined> {
  const r = await tx.query<WorkspaceRow>('select id, name, origin from workspaces where id = $1 and deleted_at is null for update', [workspaceId]);
  return r.rows[0];
}

/** The ids of the workspaces not deleted. */
export async function liveWorkspaceIds(q: Queryable): Promise<Set<string>> {
  const r = await q.query<{ id: string }>('select id from workspaces where deleted_at is null');
  return new Set(r.rows.map((row) => row.id));
}

/** Whether a workspace with this id exists and has not been deleted. */
export async function isLiveWorkspace(q: Queryable, workspaceId: string): Promise<boolean> {
  const r = await q.query('select 1 from workspaces where id = $1 and deleted_at is null', [workspaceId]);
  return r.rowCount > 0;
}

/** Live workspaces ordered by id, after `after`, only those in `only` unless it is null. */
export async function listLiveWorkspaces(
  q: Queryable,
  options: { after: string | undefined; only: readonly string[] | null; limit: number },
): Promise<Array<WorkspaceRow & { created_at: Date }>> {
  const r = await q.query<WorkspaceRow & { created_at: Date }>(
    `select id, name, origin, created_at from workspaces where deleted_at is null and ($1::text is null or id > $1)
        and ($3::text[] is null or id = any($3::text[]))
      order by id limit $2`,
    [options.after ?? null, options.limit, options.only],
  );
  return r.rows;
}

/**
 * Creates a workspace managed by the API; a deleted one with this id is brought back only when
 * `mayRestore`. Returns false when the id is taken.
 */
export async function insertApiWorkspace(tx: Queryable, id: string, name: string, mayRestore: boolean): Promise<boolean> {
  const created = await tx.query<{ id: string }>(
    `insert into workspaces (id, name, origin) values ($1, $2, 'api')
     on conflict (id) do update set name = excluded.name, deleted_at = null, updated_at = now()
      where workspaces.deleted_at is not null and $3::boolean
     returning id`,
    [id, name, mayRestore],
  );
  return created.rowCount > 0;
}

export async function renameWorkspace(tx: Queryable, id: string, name: string): Promise<void> {
  await tx.query('update workspaces set name = $2, updated_at = now() where id = $1', [id, name]);
}

/** Marks a workspace deleted; its id and audit history stay. */
export async function markWorkspaceDeleted(tx: Queryable, id: string): Promise<void> {
  await tx.query('update workspaces set deleted_at = now(), updated_at = now() where id = $1', [id]);
}
