import type { ScimGroupRow, ScimMemberRow } from '../../store/observed/scim-groups.js';
import { GROUP_SCHEMA } from '../schema-urns.js';
import type { JsonObject } from '../json.js';
import { etagOf } from '../users/user-resource.js';

/** The resource a group row represents. `members` undefined leaves the attribute out (not loaded). */
export function toGroupResource(row: ScimGroupRow, members: readonly ScimMemberRow[] | undefined, base: string): JsonObject {
  const resource: JsonObject = { schemas: [GROUP_SCHEMA], id: row.id };
  if (row.external_id !== null) resource['externalId'] = row.external_id;
  resource['displayName'] = row.display_name;
  if (members && members.length > 0) {
    resource['members'] = members.map((m) => {
      const member: JsonObject = { value: m.user_id };
      if (m.display !== null) member['display'] = m.display;
      member['type'] = 'User';
      member['$ref'] = `${base}/Users/${m.user_id}`;
      return member;
    });
  }
  resource['meta'] = {
    resourceType: 'Group',
    created: row.created_at.toISOString(),
    lastModified: row.updated_at.toISOString(),
    location: `${base}/Groups/${row.id}`,
    version: etagOf(row.version),
  };
  return resource;
}
