import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Applies the SQL files in `migrations/` that this database has not seen, in name order. */
export async function migrate(db: Db): Promise<string[]> {
  await db.exec(`create table if not exists schema_migrations (
    name text primary key, applied_at timestamptz not null default now())`);
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  const applied: string[] = [];
  for (const name of files) {
    const sql = await readFile(MIGRATIONS_DIR + name, 'utf8');
    const done = await db.transaction(async (tx) => {
      // Several processes may start at once against one PostgreSQL: one migrates, the others wait.
      await tx.query(`select pg_advisory_xact_lock(hashtext('idsync.migrate'))`);
      const seen = await tx.query('select 1 from schema_migrations where name = $1', [name]);
      if (seen.rowCount > 0) return false;
      for (const statement of splitStatements(sql)) await tx.query(statement);
      await tx.query('insert into schema_migrations (name) values ($1)', [name]);
      return true;
    });
    if (done) applied.push(name);
  }
  return applied;
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
