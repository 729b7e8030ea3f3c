import type { Db } from '../store/db.js';
import { releaseLease, takeLease } from '../store/leases.js';

/**
 * Runs `fn` only if this holder gets the named lease, so that a periodic job runs once at a time
 * however many worker processes share the database. The lease lapses after `ttlMs` (database time)
 * if its holder dies; returns `undefined` when someone else holds it.
 */
export async function withLease<T>(db: Db, options: { name: string; holder: string; ttlMs: number }, fn: () => Promise<T>): Promise<T | undefined> {
  if (!(await takeLease(db, options))) return undefined;
  try {
    return await fn();
  } finally {
    // A release that fails leaves the lease to lapse after `ttlMs`: the job's own outcome matters more.
    await releaseLease(db, options.name, options.holder).catch(() => {});
  }
}
