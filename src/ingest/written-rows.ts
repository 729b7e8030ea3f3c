import type { Queryable } from '../store/db.js';
import { storedVersions, type ObservedRowVersion } from '../store/observed/written-rows.js';
import type { WriteStatus, WrittenRow } from './records.js';

/** A row's stored version and timestamps as ingest reports them, with what the write did to it. */
export function writtenRow(r: ObservedRowVersion, status: WriteStatus): WrittenRow {
  return { id: r.id, status, version: r.version, createdAt: r.created_at, updatedAt: r.updated_at };
}

/** Upserted rows are `updated` when a live row stood there before, else `created`. */
export function recordUpserted(written: Map<string, WrittenRow>, rows: readonly ObservedRowVersion[], existing: ReadonlyMap<string, { deleted: boolean }>): void {
  for (const r of rows) {
    const before = existing.get(r.id);
    written.set(r.id, writtenRow(r, before && !before.deleted ? 'updated' : 'created'));
  }
}

/** The stored version and timestamps of records a write left as they were. */
export async function readUnchanged(
  tx: Queryable,
  kind: 'users' | 'groups',
  sourceId: string,
  ids: readonly string[],
  written: Map<string, WrittenRow>,
): Promise<void> {
  if (ids.length === 0) return;
  for (const r of await storedVersions(tx, kind, sourceId, ids)) written.set(r.id, writtenRow(r, 'unchanged'));
}
