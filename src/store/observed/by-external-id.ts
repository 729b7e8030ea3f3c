import type { Queryable } from '../db.js';
import type { ObservedGroupRow, ObservedUserRow } from './observed-rows.js';

/** A live user of observed state found by its external id: what a partial record is merged onto. */
export type UserByExternalIdRow = Pick<
  ObservedUserRow,
  'user_name' | 'email' | 'emails' | 'given_name' | 'family_name' | 'display_name' | 'company' | 'active' | 'attributes'
> & { external_id: string };

/** A live group of observed state found by its external id, without its members. */
export type GroupByExternalIdRow = Pick<ObservedGroupRow, 'display_name' | 'aliases'> & { external_id: string };

/**
 * The source's live users with these external ids (deleted ones are not observed: a partial
 * record is never merged onto what the directory has since deleted). One statement per call.
 */
export async function observedUsersByExternalId(q: Queryable, sourceId: string, externalIds: readonly string[]): Promise<UserByExternalIdRow[]> {
  if (externalIds.length === 0) return [];
  const rows = await q.query<UserByExternalIdRow>(
    `select external_id, user_name, email, emails, given_name, family_name, display_name, company, active, attributes
       from source_users
      where source_id = $1 and external_id = any($2::text[]) and deleted_at is null`,
    [sourceId, externalIds],
  );
  return rows.rows;
}

/** The source's live groups with these external ids. One statement per call. */
export async function observedGroupsByExternalId(q: Queryable, sourceId: string, externalIds: readonly string[]): Promise<GroupByExternalIdRow[]> {
  if (externalIds.length === 0) return [];
  const rows = await q.query<GroupByExternalIdRow>(
    `select external_id, display_name, aliases
       from source_groups
      where source_id = $1 and external_id = any($2::text[]) and deleted_at is null`,
    [sourceId, externalIds],
  );
  return rows.rows;
}
