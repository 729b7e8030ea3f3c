import type { Config } from '../config/schema.js';
import type { Db, Queryable } from './db.js';

/**
 * Makes the database agree with the config file: every configured source exists with its kind and
 * precedence, and every configured workspace exists (its rules stay in the config).
 */
export async function registerConfig(db: Db, config: Config): Promise<void> {
  await db.transaction(async (tx) => {
    if (config.sources.length > 0) {
      await tx.query(
        `insert into sources (id, kind, precedence)
         select r.id, r.kind, r.precedence from jsonb_to_recordset($1::jsonb) as r(id text, kind text, precedence int)
         on conflict (id) do update set kind = excluded.kind, precedence = excluded.precedence`,
        [JSON.stringify(config.sources.map((s) => ({ id: s.id, kind: s.kind, precedence: s.precedence })))],
      );
    }
    if (config.workspaces.length > 0) {
      await tx.query(
        `insert into workspaces (id, name, origin)
         select r.id, r.name, 'config' from jsonb_to_recordset($1::jsonb) as r(id text, name text)
         on conflict (id) do update set name = excluded.name, origin = 'config', deleted_at = null, updated_at = now()`,
        [JSON.stringify(config.workspaces.map((w) => ({ id: w.id, name: w.name })))],
      );
    }
  });
}

/** Whether a source with this id has been registered (configured now or before). */
export async function isRegisteredSource(q: Queryable, id: string): Promise<boolean> {
  const r = await q.query<{ found: boolean }>('select exists (select 1 from sources where id = $1) as found', [id]);
  return r.rows[0]?.found === true;
}
