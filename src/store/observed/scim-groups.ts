/**
 * The reads of SCIM Groups, straight from `source_groups` (members only when the response includes
 * them), and the write of the cosmetic display text of members, which the SCIM server asks ingest
 * to make (`Ingest.saveMemberDisplays`).
 */
import type { Queryable } from '../db.js';
import { isUuid } from '../uuid-text.js';
import type { ObservedGroupRow, ObservedMemberRow } from './observed-rows.js';
import { listScimPage, type ScimListQuery, type ScimListSource } from './scim-list-page.js';

/** The `source_groups` columns the SCIM server reads. */
export type ScimGroupRow = Pick<ObservedGroupRow, 'id' | 'external_id' | 'display_name' | 'aliases' | 'attributes' | 'version' | 'created_at' | 'updated_at'>;

/** A member as a SCIM group lists it; `display` falls back to the user's displayName. */
export type ScimMemberRow = Pick<ObservedMemberRow, 'group_id' | 'user_id' | 'display'>;

const GROUP_COLUMNS = 'g.id, g.external_id, g.display_name, g.aliases, g.attributes, g.version, g.created_at, g.updated_at';

const GROUPS: ScimListSource = { table: 'source_groups', alias: 'g', columns: GROUP_COLUMNS };

/** A live group of the source; undefined for an id that is not a uuid. */
export async function findScimGroup(db: Queryable, sourceId: string, id: string): Promise<ScimGroupRow | undefined> {
  if (!isUuid(id)) return undefined;
  const found = await db.query<ScimGroupRow>(
    `select ${GROUP_COLUMNS} from source_groups g where g.source_id = $1 and g.id = $2 and g.deleted_at is null`,
    [sourceId, id],
  );
  return found.rows[0];
}

/** One page of the source's live groups and how many match in all. */
export function listScimGroups(db: Queryable, sourceId: string, query: ScimListQuery): Promise<{ rows: ScimGroupRow[]; total: number }> {
  return listScimPage<ScimGroupRow>(db, GROUPS, sourceId, query);
}

/** The members of some groups: the display text the client gave, else the user's displayName. */
export async function scimGroupMembers(db: Queryable, sourceId: string, groupIds: readonly string[]): Promise<Map<string, ScimMemberRow[]>> {
  const byGroup = new Map<string, ScimMemberRow[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return byGroup;
  const found = await db.query<ScimMemberRow>(
    `select m.group_id, m.user_id, coalesce(m.display, u.display_name) as display
       from source_group_members m
       left join source_users u on u.source_id = m.source_id and u.id = m.user_id
      where m.source_id = $1 and m.group_id = any($2::uuid[])
      order by m.group_id, m.user_id`,
    [sourceId, groupIds],
  );
  for (const row of found.rows) byGroup.get(row.group_id)?.push(row);
  return byGroup;
}

/** Which of `ids` are live users of the source (lower-cased): a member must be one (nested groups are not supported). */
export async function liveUserIds(db: Queryable, sourceId: string, ids: readonly string[]): Promise<Set<string>> {
  const candidates = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
  if (candidates.length === 0) return new Set();
  const found = await db.query<{ id: string }>(
    'select id from source_users where source_id = $1 and id = any($2::uuid[]) and deleted_at is null',
    [sourceId, candidates],
  );
  return new Set(found.rows.map((r) => r.id));
}

/** Every member id of one group (for "remove all members"). */
export async function groupMemberIds(db: Queryable, sourceId: string, groupId: string): Promise<string[]> {
  const found = await db.query<{ user_id: string }>('select user_id from source_group_members where source_id = $1 and group_id = $2', [sourceId, groupId]);
  return found.rows.map((r) => r.user_id);
}

/**
 * Keeps the display text a client gave some members of a group (`members[].display`), one
 * statement for all of them. Called from src/ingest only, the single writer of observed state. It
 * is cosmetic — reconciliation never reads it — so it is written after the group's own transaction.
 */
export async function saveMemberDisplays(db: Queryable, sourceId: string, groupId: string, displays: ReadonlyArray<readonly [userId: string, display: string]>): Promise<void> {
  if (displays.length === 0) return;
  await db.query(
    `update source_group_members m set display = d.display
       from unnest($3::uuid[], $4::text[]) as d(user_id, display)
      where m.source_id = $1 and m.group_id = $2 and m.user_id = d.user_id`,
    [sourceId, groupId, displays.map(([id]) => id), displays.map(([, display]) => display)],
  );
}
