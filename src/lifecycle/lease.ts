import type { Db } from '../store/db.js';

/**
 * Runs `fn` only if this holder gets the named lease, so that a periodic job runs once at a time
 * however many worker processes share the database. The lease lapses after `ttlMs` (database time)
 * if its holder dies; returns `undefined` when someone else holds it.
 */
export async function withLease<T>(db: Db, options: { name: string; holder: string; ttlMs: number }, fn: () => Promise<T>): Promise<T | undefined> {
  const got = await db.query(
    `insert into leases (name, holder, expires_at) values ($1, $2, now() + $3::bigint * interval '1 millisecond')
     on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
      where leases.expires_at < now()
     returning holder`,
    [options.name, options.holder, options.ttlMs],
  );
  if (got.rowCount === 0) return undefined;
  try {
    return await fn();
  } finally {
    await db.query('delete from leases where name = $1 and holder = $2', [options.name, options.holder]).catch(() => {});
  }
}
