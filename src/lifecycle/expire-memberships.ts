import type { Db } from '../store/db.js';
import { grantState } from '../store/events/grant-log.js';
import { dueToExpire } from '../store/granted/membership-sweeps.js';
import { setStatus, sweepMemberships } from './sweep-memberships.js';

/** Active grants past `valid_until` → `expired` (access off), with `membership.expired`. */
export function expireMemberships(db: Db, now: Date, batchSize: number): Promise<number> {
  return sweepMemberships(db, {
    actor: 'sweep:expiry',
    cause: 'validity ended',
    event: 'membership.expired',
    due: dueToExpire,
    update: setStatus('expired'),
    after: (g) => ({ ...grantState(g), status: 'expired' }),
  }, now, batchSize);
}
