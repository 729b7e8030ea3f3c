import type { Db } from '../store/db.js';
import { expireInvites } from './expire-invites.js';
import { expireMemberships } from './expire-memberships.js';
import { withLease } from './lease.js';
import { remindExpiring } from './remind-expiring.js';
import { removeAfterGrace } from './remove-after-grace.js';
import { pruneRequestLog } from './prune-request-log.js';
import { removeInactive } from './remove-inactive.js';
import type { LifecycleSettings } from './settings.js';

export interface SweepResult {
  reminded: number;
  expired: number;
  removedAfterGrace: number;
  removedInactive: number;
  invitesExpired: number;
  requestLogPruned: number;
}

/**
 * Every lifecycle sweep once, at `now`. Each is batched and idempotent: run it twice, or on two
 * workers at once, and every due row changes exactly once, with one event.
 */
export async function runSweeps(db: Db, settings: LifecycleSettings, now: Date): Promise<SweepResult> {
  // Reminders first: a grant that expires in this very run was not reminded in time, and gets no reminder after it expired.
  const reminded = await remindExpiring(db, now, settings.remindBeforeMs, settings.batchSize);
  const expired = await expireMemberships(db, now, settings.batchSize);
  const removedAfterGrace = await removeAfterGrace(db, now, settings.graceMs, settings.batchSize);
  const removedInactive = await removeInactive(db, now, settings.inactivityMs, settings.batchSize);
  const invitesExpired = await expireInvites(db, now, settings.batchSize);
  const requestLogPruned = await pruneRequestLog(db, now, settings.requestLogRetentionMs, settings.batchSize);
  return { reminded, expired, removedAfterGrace, removedInactive, invitesExpired, requestLogPruned };
}

const LEASE = 'lifecycle-sweep';
const LEASE_TTL_MS = 10 * 60_000;

/** `runSweeps` under the `lifecycle-sweep` lease: `undefined` when another worker is sweeping. */
export function runSweepsOnce(db: Db, settings: LifecycleSettings, now: Date, holder: string): Promise<SweepResult | undefined> {
  return withLease(db, { name: LEASE, holder, ttlMs: LEASE_TTL_MS }, () => runSweeps(db, settings, now));
}
