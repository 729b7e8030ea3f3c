import type { Queryable } from './db.js';

/**
 * Takes the named lease for `holder` unless someone else holds one that has not lapsed; it lapses
 * `ttlMs` after now in database time. Returns whether `holder` got it.
 */
export async function takeLease(q: Queryable, lease: { name: string; holder: string; ttlMs: number }): Promise<boolean> {
  const got = await q.query(
    `insert into leases (name, holder, expires_at) values ($1, $2, now() + $3::bigint * interval '1 millisecond')
     on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
      where leases.expires_at < now()
     returning holder`,
    [lease.name, lease.holder, lease.ttlMs],
  );
  return got.rowCount > 0;
}

/** Gives the named lease back, if `holder` still holds it. */
export async function releaseLease(q: Queryable, name: string, holder: string): Promise<void> {
  await q.query('delete from leases where name = $1 and holder = $2', [name, holder]);
}
