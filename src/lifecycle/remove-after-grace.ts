import type { Db } from '../store/db.js';
import { grantState } from '../store/events/grant-log.js';
import { dueAfterGrace } from '../store/granted/membership-sweeps.js';
import { setStatus, sweepMemberships } from './sweep-memberships.js';

/**
 * Suspended grants (no source asserts them any more) → `removed` once `graceAfterDeprovision` has
 * passed since the suspension. A grant asserted again meanwhile is active again and not due.
 */
export function removeAfterGrace(db: Db, now: Date, graceMs: number, batchSize: number): Promise<number> {
  return sweepMemberships(db, {
    actor: 'sweep:grace',
    cause: 'grace period after deprovisioning ended',
    event: 'membership.removed',
    due: (tx, at, size) => dueAfterGrace(tx, at, size, graceMs),
    update: setStatus('removed'),
    after: (g) => ({ ...grantState(g), status: 'removed' }),
  }, now, batchSize);
}
