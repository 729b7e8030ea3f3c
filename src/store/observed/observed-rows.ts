import type { SourceEmail } from '../../connector/connector.js';

/*
 * The one row type of each observed-state table, as src/store/migrations defines it. Each
 * query reads the columns it needs, typed as a `Pick` of these — as PersonRow is for `people`.
 */

/** A row of `source_users`: one user as one source sees it. */
export interface ObservedUserRow {
  source_id: string;
  id: string;
  /** The source's own id; a user pushed over SCIM may have none. */
  external_id: string | null;
  user_name: string;
  /** The lower-cased primary e-mail: the correlation key; null when the entry has none. */
  email: string | null;
  emails: SourceEmail[];
  given_name: string | null;
  family_name: string | null;
  display_name: string | null;
  company: string | null;
  active: boolean;
  attributes: Record<string, unknown>;
  content_hash: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

/** A row of `source_groups`: one group as one source sees it (its members: `source_group_members`). */
export interface ObservedGroupRow {
  source_id: string;
  id: string;
  external_id: string | null;
  display_name: string;
  /** Other names rules may use: an LDAP DN, a Google group e-mail. */
  aliases: string[];
  attributes: Record<string, unknown>;
  content_hash: string;
  /** Null when the member list was changed member by member (or never written whole). */
  members_hash: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

/** A row of `source_group_members`: a source user in a source group. */
export interface ObservedMemberRow {
  source_id: string;
  group_id: string;
  user_id: string;
  /** The member's display text as a SCIM client sent it, shown back in the group's `members`. */
  display: string | null;
}
