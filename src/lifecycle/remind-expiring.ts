import type { Db } from '../store/db.js';
import { grantState } from '../admin/grants.js';
import { GRANT_COLUMNS, sweepMemberships } from './sweep-memberships.js';

/**
 * One `membership.expiring` event per validity, `remindBefore` ahead of `valid_until`. `reminded_at`
 * records it; a reminder older than the current validity's window (the grant was extended or
 * granted anew) no longer counts.
 */
export function remindExpiring(db: Db, now: Date, remindBeforeMs: number, batchSize: number): Promise<number> {
  return sweepMemberships(db, {
    actor: 'sweep:expiry',
    cause: `validity ends within ${Math.round(remindBeforeMs / 86_400_000)} days`,
    event: 'membership.expiring',
    select: `select ${GRANT_COLUMNS} from memberships m join people p on p.id = m.person_id
              where m.status = 'active' and m.valid_until > $1::timestamptz
                and m.valid_until <= $1::timestamptz + $3::bigint * interval '1 millisecond'
                and (m.reminded_at is null or m.reminded_at < m.valid_until - $3::bigint * interval '1 millisecond')
              order by m.valid_until, m.id limit $2 for update of m, p skip locked`,
    params: [remindBeforeMs],
    update: (tx, ids, at) => tx.query('update memberships set reminded_at = $2 where id = any($1::uuid[])', [ids, at]),
    after: (g) => grantState(g),
  }, now, batchSize);
}
