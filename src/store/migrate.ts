import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/**
 * Applies the SQL files in `migrations/` that this database has not seen, in name order, in one
 * transaction. Several processes may start at once against one PostgreSQL (an orchestrator starting
 * replicas): the advisory lock comes before anything else, `create table if not exists` included —
 * PostgreSQL does not make that statement safe against a concurrent twin — so one process migrates
 * and the others wait, then find every migration applied.
 */
export async function migrate(db: Db): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  const sources = await Promise.all(files.map(async (name) => ({ name, sql: await readFile(MIGRATIONS_DIR + name, 'utf8') })));
  return db.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext('idsync.migrate'))`);
    await tx.query(`create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())`);
    const seen = new Set((await tx.query<{ name: string }>('select name from schema_migrations')).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const { name, sql } of sources) {
      if (seen.has(name)) continue;
      for (const statement of splitStatements(sql)) await tx.query(statement);
      await tx.query('insert into schema_migrations (name) values ($1)', [name]);
      applied.push(name);
    }
    return applied;
  });
}

/** Splits a migration on top-level semicolons: not in `--` comments nor inside `$$ … $$` function bodies. */
function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let inBody = false;
  for (const line of sql.split('\n')) {
    if (!inBody && line.trimStart().startsWith('--')) continue;
    for (const part of line.split(/(\$\$|;)/)) {
      if (part === '$$') inBody = !inBody;
      if (part === ';' && !inBody) {
        if (current.trim()) statements.push(current.trim());
        current = '';
      } else current += part;
    }
    current += '\n';
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}
