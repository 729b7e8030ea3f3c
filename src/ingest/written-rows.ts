import type { Queryable } from '../store/db.js';
import type { WriteStatus, WrittenRow } from './records.js';

/** What an observed-state write returns for each row it wrote. */
export interface ReturnedRow {
  id: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export function writtenRow(r: ReturnedRow, status: WriteStatus): WrittenRow {
  return { id: r.id, status, version: r.version, createdAt: r.created_at, updatedAt: r.updated_at };
}

/** Upserted rows are `updated` when a live row stood there before, else `created`. */
export function recordUpserted(written: Map<string, WrittenRow>, rows: readonly ReturnedRow[], existing: ReadonlyMap<string, { deleted: boolean }>): void {
  for (const r of rows) {
    const before = existing.get(r.id);
    written.set(r.id, writtenRow(r, before && !before.deleted ? 'updated' : 'created'));
  }
}

/** The stored version and timestamps of records a write left as they were. */
export async function readUnchanged(
  tx: Queryable,
  table: 'source_users' | 'source_groups',
  sourceId: string,
  ids: readonly string[],
  written: Map<string, WrittenRow>,
): Promise<void> {
  if (ids.length === 0) return;
  const same = await tx.query<ReturnedRow>(`select id, version, created_at, updated_at from ${table} where source_id = $1 and id = any($2::uuid[])`, [sourceId, ids]);
  for (const r of same.rows) written.set(r.id, writtenRow(r, 'unchanged'));
}
