import type { Db } from '../store/db.js';
import { grantState } from '../store/events/grant-log.js';
import { dueForReminder, markReminded } from '../store/granted/membership-sweeps.js';
import { sweepMemberships } from './sweep-memberships.js';

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
    due: (tx, at, size) => dueForReminder(tx, at, size, remindBeforeMs),
    update: markReminded,
    after: (g) => grantState(g),
  }, now, batchSize);
}
