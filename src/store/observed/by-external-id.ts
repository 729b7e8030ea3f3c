import type { Queryable } from '../db.js';
import type { ObservedGroupRow } from './accounts.js';

/** A live user of observed state as ingest wrote it; `email` is the lower-cased correlation key. */
export interface ObservedUserRow {
  external_id: string;
  user_name: string;
  email: string | null;
  emails: Array<{ value: string; type?: string | undefined; primary?: boolean | undefined }>;
  given_name: string | null;
  family_name: string | null;
  display_name: string | null;
  company: string | null;
  active: boolean;
  attributes: Record<string, unknown>;
}

/** A live group of observed state found by its external id, without its members. */
export type GroupByExternalIdRow = Pick<ObservedGroupRow, 'display_name' | 'aliases'> & { external_id: string };

/**
 * The source's live users with these external ids (deleted ones are not observed: a partial
 * record is never merged onto what the directory has since deleted). One statement per call.
 */
export async function observedUsersByExternalId(q: Queryable, sourceId: string, externalIds: readonly string[]): Promise<ObservedUserRow[]> {
  if (externalIds.length === 0) return [];
  const rows = await q.query<ObservedUserRow>(
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
