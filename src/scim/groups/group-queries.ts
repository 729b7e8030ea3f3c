/** The reads of Groups, straight from PostgreSQL. Members are loaded only when the response includes them. */
import type { Queryable } from '../../store/db.js';
import { filterToSql } from '../filter/filter-to-sql.js';
import { sortToSql } from '../filter/sort.js';
import type { ListQuery } from '../list-query.js';
import { isUuid } from '../users/user-queries.js';
import { GROUP_COLUMNS, type GroupRow, type MemberRow } from './group-row.js';

export async function findGroup(db: Queryable, sourceId: string, id: string): Promise<GroupRow | undefined> {
  if (!isUuid(id)) return undefined;
  const found = await db.query<GroupRow>(
    `select ${GROUP_COLUMNS} from source_groups g where g.source_id = $1 and g.id = $2 and g.deleted_at is null`,
    [sourceId, id],
  );
  return found.rows[0];
}

export async function listGroups(db: Queryable, sourceId: string, query: ListQuery): Promise<{ rows: GroupRow[]; total: number }> {
  const where = ['g.source_id = $1', 'g.deleted_at is null'];
  const params: unknown[] = [sourceId];
  if (query.filter) {
    const fragment = filterToSql(query.filter, { resourceType: 'Groups', alias: 'g', paramOffset: params.length });
    where.push(fragment.sql);
    params.push(...fragment.params);
  }
  const condition = where.join(' and ');
  if (query.count === 0) return { rows: [], total: await countGroups(db, condition, params) };
  const order = sortToSql({ resourceType: 'Groups', alias: 'g', sortBy: query.sortBy, sortOrder: query.sortOrder });
  const page = await db.query<GroupRow & { total: number }>(
    `select ${GROUP_COLUMNS}, count(*) over () as total from source_groups g where ${condition} ${order.sql}
      limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, query.count, query.startIndex - 1],
  );
  const first = page.rows[0];
  const total = first ? Number(first.total) : query.startIndex > 1 ? await countGroups(db, condition, params) : 0;
  return { rows: page.rows, total };
}

async function countGroups(db: Queryable, condition: string, params: unknown[]): Promise<number> {
  const counted = await db.query<{ n: number }>(`select count(*)::int as n from source_groups g where ${condition}`, params);
  return counted.rows[0]?.n ?? 0;
}

/** The members of some groups: the display text the client gave, else the user's displayName. */
export async function membersOf(db: Queryable, sourceId: string, groupIds: readonly string[]): Promise<Map<string, MemberRow[]>> {
  const byGroup = new Map<string, MemberRow[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return byGroup;
  const found = await db.query<MemberRow>(
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

/** Which of `ids` are live users of the source: a member must be one (nested groups are not supported). */
export async function existingUsers(db: Queryable, sourceId: string, ids: readonly string[]): Promise<Set<string>> {
  const candidates = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
  if (candidates.length === 0) return new Set();
  const found = await db.query<{ id: string }>(
    'select id from source_users where source_id = $1 and id = any($2::uuid[]) and deleted_at is null',
    [sourceId, candidates],
  );
  return new Set(found.rows.map((r) => r.id));
}

/** Every member id of one group (for "remove all members"). */
export async function memberIds(db: Queryable, sourceId: string, groupId: string): Promise<string[]> {
  const found = await db.query<{ user_id: string }>('select user_id from source_group_members where source_id = $1 and group_id = $2', [sourceId, groupId]);
  return found.rows.map((r) => r.user_id);
}
