import type { Db } from '../store/db.js';
import { grantState } from '../store/events/grant-log.js';
import { dueForInactivity } from '../store/granted/membership-sweeps.js';
import { setStatus, sweepMemberships } from './sweep-memberships.js';

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
    due: (tx, at, size) => dueForInactivity(tx, at, size, inactivityMs),
    update: setStatus('removed'),
    after: (g) => ({ ...grantState(g), status: 'removed' }),
  }, now, batchSize);
}
