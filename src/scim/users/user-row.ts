import type { SourceEmail } from '../../connector/connector.js';

/** The `source_users` columns the SCIM server reads. */
export interface UserRow {
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

/** The select list for `UserRow`, over the alias `u`. */
export const USER_COLUMNS =
  'u.id, u.external_id, u.user_name, u.emails, u.given_name, u.family_name, u.display_name, u.company, u.active, u.attributes, u.version, u.created_at, u.updated_at';
