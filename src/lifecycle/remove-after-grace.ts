import type { Db } from '../store/db.js';
import { grantState } from '../admin/grants.js';
import { GRANT_COLUMNS, setStatus, sweepMemberships } from './sweep-memberships.js';

/**
 * Suspended grants (no source asserts them any more) → `removed` once `graceAfterDeprovision` has
 * passed since the suspension. A grant asserted again meanwhile is active again and not due.
 */
export function removeAfterGrace(db: Db, now: Date, graceMs: number, batchSize: number): Promise<number> {
  return sweepMemberships(db, {
    actor: 'sweep:grace',
    cause: 'grace period after deprovisioning ended',
    event: 'membership.removed',
    select: `select ${GRANT_COLUMNS} from memberships m join people p on p.id = m.person_id
              where m.status = 'suspended' and m.suspended_at <= $1::timestamptz - $3::bigint * interval '1 millisecond'
              order by m.suspended_at, m.id limit $2 for update of m, p skip locked`,
    params: [graceMs],
    update: setStatus('removed'),
    after: (g) => ({ ...grantState(g), status: 'removed' }),
  }, now, batchSize);
}
