import type { Db } from '../store/db.js';
import { grantState } from '../admin/grants.js';
import { GRANT_COLUMNS, setStatus, sweepMemberships } from './sweep-memberships.js';

/**
 * Grants of people without activity for `inactivity` → `removed`. Activity is what the host
 * application reports (`POST /people/{id}/activity`); a grant younger than the period counts as
 * activity, so new members are not removed before they had the chance to be active.
 */
export function removeInactive(db: Db, now: Date, inactivityMs: number, batchSize: number): Promise<number> {
  return sweepMemberships(db, {
    actor: 'sweep:inactivity',
    cause: `no activity for ${Math.round(inactivityMs / 86_400_000)} days`,
    event: 'membership.removed',
    select: `select ${GRANT_COLUMNS} from memberships m join people p on p.id = m.person_id
              where m.status in ('active', 'expired')
                and greatest(coalesce(p.last_active_at, '-infinity'::timestamptz), m.valid_from) <= $1::timestamptz - $3::bigint * interval '1 millisecond'
              order by m.id limit $2 for update of m, p skip locked`,
    params: [inactivityMs],
    update: setStatus('removed'),
    after: (g) => ({ ...grantState(g), status: 'removed' }),
  }, now, batchSize);
}
