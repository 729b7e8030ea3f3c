import type { Db } from '../store/db.js';
import { grantState } from '../admin/grants.js';
import { GRANT_COLUMNS, setStatus, sweepMemberships } from './sweep-memberships.js';

/** Active grants past `valid_until` → `expired` (access off), with `membership.expired`. */
export function expireMemberships(db: Db, now: Date, batchSize: number): Promise<number> {
  return sweepMemberships(db, {
    actor: 'sweep:expiry',
    cause: 'validity ended',
    event: 'membership.expired',
    select: `select ${GRANT_COLUMNS} from memberships m join people p on p.id = m.person_id
              where m.status = 'active' and m.valid_until <= $1
              order by m.valid_until, m.id limit $2 for update of m, p skip locked`,
    params: [],
    update: setStatus('expired'),
    after: (g) => ({ ...grantState(g), status: 'expired' }),
  }, now, batchSize);
}
