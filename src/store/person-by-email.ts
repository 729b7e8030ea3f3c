import type { Queryable } from './db.js';

/** The person whose e-mail is `email` (case-insensitive), as the console signs them in. */
export async function personByEmail(q: Queryable, email: string): Promise<{ id: string; email: string } | undefined> {
  const r = await q.query<{ id: string; email: string }>('select id, lower(email) as email from people where lower(email) = lower($1)', [email]);
  return r.rows[0];
}
