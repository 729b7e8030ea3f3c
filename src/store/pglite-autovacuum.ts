import type { PGlite } from '@electric-sql/pglite';

/**
 * The commands autovacuum would run now: `vacuum (analyze)` for a table with enough dead (or, since
 * PostgreSQL 13, newly inserted) rows, `analyze` for one changed enough since it was last analysed —
 * by PostgreSQL's own rule and settings: threshold + scale factor × the rows the table had.
 */
const DUE_SQL = `
  with t as (
    select s.schemaname, s.relname, s.n_dead_tup, s.n_ins_since_vacuum, s.n_mod_since_analyze, greatest(c.reltuples, 0) as rows
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid
  )
  select case
           when n_dead_tup > current_setting('autovacuum_vacuum_threshold')::float8 + current_setting('autovacuum_vacuum_scale_factor')::float8 * rows
             or n_ins_since_vacuum > current_setting('autovacuum_vacuum_insert_threshold')::float8 + current_setting('autovacuum_vacuum_insert_scale_factor')::float8 * rows
           then format('vacuum (analyze) %I.%I', schemaname, relname)
           else format('analyze %I.%I', schemaname, relname)
         end as command
    from t
   where n_dead_tup > current_setting('autovacuum_vacuum_threshold')::float8 + current_setting('autovacuum_vacuum_scale_factor')::float8 * rows
      or n_ins_since_vacuum > current_setting('autovacuum_vacuum_insert_threshold')::float8 + current_setting('autovacuum_vacuum_insert_scale_factor')::float8 * rows
      or n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float8 + current_setting('autovacuum_analyze_scale_factor')::float8 * rows`;

/**
 * What PostgreSQL's autovacuum launcher does, for PGlite, which runs PostgreSQL in single-user
 * mode where there is no launcher: nothing would ever ANALYZE or VACUUM. Without statistics the
 * planner takes every table for empty, and a prepared statement settles on a generic plan that
 * scans where it should look up (docs/benchmarks.md has the figures); without VACUUM, the space
 * of updated and deleted rows is never reused. Runs the due commands; the caller holds the session.
 */
export async function autovacuum(pglite: PGlite): Promise<number> {
  const due = await pglite.query<{ command: string }>(DUE_SQL);
  for (const { command } of due.rows) await pglite.exec(command);
  return due.rows.length;
}
