/** The `source_groups` columns the SCIM server reads. */
export interface GroupRow {
  id: string;
  external_id: string | null;
  display_name: string;
  aliases: string[];
  attributes: Record<string, unknown> | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface MemberRow {
  group_id: string;
  user_id: string;
  display: string | null;
}

export const GROUP_COLUMNS = 'g.id, g.external_id, g.display_name, g.aliases, g.attributes, g.version, g.created_at, g.updated_at';
