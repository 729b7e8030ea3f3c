import { reconcileFingerprint } from '../config/reconcile-fingerprint.js';
import type { Config } from '../config/schema.js';
import type { Db, Queryable } from './db.js';
import { parkEveryone } from './pending-changes.js';

export interface RegisteredConfig {
  /** Whether the rules (or anything else reconciliation reads from the config) differ from the last start's. */
  rulesChanged: boolean;
  /** Addresses parked for reconciliation because of it. */
  parked: number;
}

/**
 * Makes the database agree with the config file: every configured source exists with its kind and
 * precedence, and every configured workspace exists (its rules stay in the config). When what
 * reconciliation reads from the config changed since the last start (or is not known: the first
 * start after an upgrade), everyone is parked for reconciliation in the same transaction: rules
 * apply to a person when they are reconciled, and people whom no source changes would otherwise keep
 * what the old rules granted.
 */
export async function registerConfig(db: Db, config: Config): Promise<RegisteredConfig> {
  return db.transaction(async (tx) => {
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
    const fingerprint = reconcileFingerprint(config);
    const previous = await tx.query<{ fingerprint: string }>('select fingerprint from config_fingerprint for update');
    if (previous.rows[0]?.fingerprint === fingerprint) return { rulesChanged: false, parked: 0 };
    const parked = await parkEveryone(tx, 'config: the rules changed');
    await tx.query(
      `insert into config_fingerprint (fingerprint) values ($1)
       on conflict (singleton) do update set fingerprint = excluded.fingerprint, updated_at = now()`,
      [fingerprint],
    );
    return { rulesChanged: true, parked };
  });
}

/** Whether a source with this id has been registered (configured now or before). */
export async function isRegisteredSource(q: Queryable, id: string): Promise<boolean> {
  const r = await q.query<{ found: boolean }>('select exists (select 1 from sources where id = $1) as found', [id]);
  return r.rows[0]?.found === true;
}
