/** The reads of Users, straight from PostgreSQL: the filter is translated to SQL, never evaluated in memory. */
import type { Queryable } from '../../store/db.js';
import { filterToSql } from '../filter/filter-to-sql.js';
import { sortToSql } from '../filter/sort.js';
import type { ListQuery } from '../list-query.js';
import { USER_COLUMNS, type UserRow } from './user-row.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

export async function findUser(db: Queryable, sourceId: string, id: string): Promise<UserRow | undefined> {
  if (!isUuid(id)) return undefined;
  const found = await db.query<UserRow>(
    `select ${USER_COLUMNS} from source_users u where u.source_id = $1 and u.id = $2 and u.deleted_at is null`,
    [sourceId, id],
  );
  return found.rows[0];
}

/** One page of users and how many match in all (`totalResults`), in one round trip when the page is not empty. */
export async function listUsers(db: Queryable, sourceId: string, query: ListQuery): Promise<{ rows: UserRow[]; total: number }> {
  const where = ['u.source_id = $1', 'u.deleted_at is null'];
  const params: unknown[] = [sourceId];
  if (query.filter) {
    const fragment = filterToSql(query.filter, { resourceType: 'Users', alias: 'u', paramOffset: params.length });
    where.push(fragment.sql);
    params.push(...fragment.params);
  }
  const condition = where.join(' and ');
  if (query.count === 0) return { rows: [], total: await countUsers(db, condition, params) };
  const order = sortToSql({ resourceType: 'Users', alias: 'u', sortBy: query.sortBy, sortOrder: query.sortOrder });
  const page = await db.query<UserRow & { total: number }>(
    `select ${USER_COLUMNS}, count(*) over () as total from source_users u where ${condition} ${order.sql}
      limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, query.count, query.startIndex - 1],
  );
  const first = page.rows[0];
  const total = first ? Number(first.total) : query.startIndex > 1 ? await countUsers(db, condition, params) : 0;
  return { rows: page.rows, total };
}

async function countUsers(db: Queryable, condition: string, params: unknown[]): Promise<number> {
  const counted = await db.query<{ n: number }>(`select count(*)::int as n from source_users u where ${condition}`, params);
  return counted.rows[0]?.n ?? 0;
}
