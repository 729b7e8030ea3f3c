/** The reads of SCIM Users, straight from `source_users`: the filter is translated to SQL, never evaluated in memory. */
import type { SourceEmail } from '../../connector/connector.js';
import type { Queryable } from '../db.js';
import { isUuid } from '../uuid-text.js';
import { listScimPage, type ScimListQuery, type ScimListSource } from './scim-list-page.js';

/** The `source_users` columns the SCIM server reads. */
export interface ScimUserRow {
  id: string;
  external_id: string | null;
  user_name: string;
  emails: SourceEmail[] | null;
  given_name: string | null;
  family_name: string | null;
  display_name: string | null;
  company: string | null;
  active: boolean;
  attributes: Record<string, unknown> | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

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
