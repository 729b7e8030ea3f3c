import type { Queryable } from '../db.js';

/*
 * Observed state (source_users, source_groups, source_group_members) has one writer, ingest
 * (design §1): the functions of this folder's *-writes.ts files and of this one are called from
 * src/ingest only. Ingest decides what to write, in which transaction, and which changes to
 * publish; these say how it is stored.
 */

/** What an observed-state write reads back of each row it wrote or left as it was. */
export interface ObservedRowVersion {
  id: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const VERSIONS_OF = {
  users: 'select id, version, created_at, updated_at from source_users where source_id = $1 and id = any($2::uuid[])',
  groups: 'select id, version, created_at, updated_at from source_groups where source_id = $1 and id = any($2::uuid[])',
} as const;

/** The stored version and timestamps of users or groups of a source (those a write left unchanged). */
export async function storedVersions(q: Queryable, kind: 'users' | 'groups', sourceId: string, ids: readonly string[]): Promise<ObservedRowVersion[]> {
  const r = await q.query<ObservedRowVersion>(VERSIONS_OF[kind], [sourceId, ids]);
  return r.rows;
}
