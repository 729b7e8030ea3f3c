/** The reads of SCIM Users, straight from `source_users`: the filter is translated to SQL, never evaluated in memory. */
import type { Queryable } from '../db.js';
import { isUuid } from '../uuid-text.js';
import type { ObservedUserRow } from './observed-rows.js';
import { listScimPage, type ScimListQuery, type ScimListSource } from './scim-list-page.js';

/** The `source_users` columns the SCIM server reads. */
export type ScimUserRow = Pick<
  ObservedUserRow,
  'id' | 'external_id' | 'user_name' | 'emails' | 'given_name' | 'family_name' | 'display_name' | 'company' | 'active' | 'attributes' | 'version' | 'created_at' | 'updated_at'
>;

/** The select list for `ScimUserRow`, over the alias `u`. */
const USER_COLUMNS =
  'u.id, u.external_id, u.user_name, u.emails, u.given_name, u.family_name, u.display_name, u.company, u.active, u.attributes, u.version, u.created_at, u.updated_at';

const USERS: ScimListSource = { table: 'source_users', alias: 'u', columns: USER_COLUMNS };

/** A live user of the source; undefined for an id that is not a uuid. */
export async function findScimUser(db: Queryable, sourceId: string, id: string): Promise<ScimUserRow | undefined> {
  if (!isUuid(id)) return undefined;
  const found = await db.query<ScimUserRow>(
    `select ${USER_COLUMNS} from source_users u where u.source_id = $1 and u.id = $2 and u.deleted_at is null`,
    [sourceId, id],
  );
  return found.rows[0];
}

/** One page of the source's live users and how many match in all. */
export function listScimUsers(db: Queryable, sourceId: string, query: ScimListQuery): Promise<{ rows: ScimUserRow[]; total: number }> {
  return listScimPage<ScimUserRow>(db, USERS, sourceId, query);
}
