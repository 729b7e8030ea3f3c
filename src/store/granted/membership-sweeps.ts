import type { Queryable } from '../db.js';
import type { GrantWithEmail } from './grants.js';

/**
 * The grants each lifecycle sweep finds due, up to `batchSize` per call. Each locks the grants and
 * their people `for update of m, p skip locked`: concurrent sweeps never take the same row, and never
 * wait for (or deadlock with) the reconciler. A grant is due only before its transition, so a re-run
 * finds nothing left to do.
 */
const GRANT_COLUMNS = 'm.id, m.person_id, m.workspace_id, m.origin, m.role, m.status, m.source_id, m.rule, m.valid_until, p.email';

async function selectDue(tx: Queryable, sql: string, params: readonly unknown[]): Promise<GrantWithEmail[]> {
  return (await tx.query<GrantWithEmail>(sql, params)).rows;
}

/** Active grants past `valid_until`. */
export function dueToExpire(tx: Queryable, now: Date, batchSize: number): Promise<GrantWithEmail[]> {
  return selectDue(
    tx,
    `select ${GRANT_COLUMNS} from memberships m join people p on p.id = m.person_id
      where m.status = 'active' and m.valid_until <= $1
      order by m.valid_until, m.id limit $2 for update of m, p skip locked`,
    [now, batchSize],
  );
}

/**
 * Active grants whose validity ends within `remindBeforeMs` and that have no reminder for this
 * validity yet: a reminder older than the current validity's window (the grant was extended or
 * granted anew) no longer counts.
 */
export function dueForReminder(tx: Queryable, now: Date, batchSize: number, remindBeforeMs: number): Promise<GrantWithEmail[]> {
  return selectDue(
    tx,
    `select ${GRANT_COLUMNS} from memberships m join people p on p.id = m.person_id
      where m.status = 'active' and m.valid_until > $1::timestamptz
        and m.valid_until <= $1::timestamptz + $3::bigint * interval '1 millisecond'
        and (m.reminded_at is null or m.reminded_at < m.valid_until - $3::bigint * interval '1 millisecond')
      order by m.valid_until, m.id limit $2 for update of m, p skip locked`,
    [now, batchSize, remindBeforeMs],
  );
}

/** Suspended grants whose suspension is older than `graceMs`. */
export function dueAfterGrace(tx: Queryable, now: Date, batchSize: number, graceMs: number): Promise<GrantWithEmail[]> {
  return selectDue(
    tx,
    `select ${GRANT_COLUMNS} from memberships m join people p on p.id = m.person_id
      where m.status = 'suspended' and m.suspended_at <= $1::timestamptz - $3::bigint * interval '1 millisecond'
      order by m.suspended_at, m.id limit $2 for update of m, p skip locked`,
    [now, batchSize, graceMs],
  );
}

/**
 * Active or expired grants of people without activity for `inactivityMs`; a grant younger than that
 * counts as activity.
 */
export function dueForInactivity(tx: Queryable, now: Date, batchSize: number, inactivityMs: number): Promise<GrantWithEmail[]> {
  return selectDue(
    tx,
    `select ${GRANT_COLUMNS} from memberships m join people p on p.id = m.person_id
      where m.status in ('active', 'expired')
        and greatest(coalesce(p.last_active_at, '-infinity'::timestamptz), m.valid_from) <= $1::timestamptz - $3::bigint * interval '1 millisecond'
      order by m.id limit $2 for update of m, p skip locked`,
    [now, batchSize, inactivityMs],
  );
}

/** Sets the status of the given grants. */
export async function setGrantsStatus(tx: Queryable, grantIds: readonly string[], status: 'expired' | 'removed'): Promise<void> {
  await tx.query('update memberships set status = $2, version = version + 1, updated_at = now() where id = any($1::uuid[])', [grantIds, status]);
}

/** Records that the given grants' holders were reminded of their validity's end at `at`. */
export async function markReminded(tx: Queryable, grantIds: readonly string[], at: Date): Promise<void> {
  await tx.query('update memberships set reminded_at = $2 where id = any($1::uuid[])', [grantIds, at]);
}
