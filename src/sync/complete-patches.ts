import { observedGroupsByExternalId, observedUsersByExternalId } from '../store/observed-by-external-id.js';
import type { Queryable } from '../store/db.js';
import type { SkippedEntry, SourceGroup, SourceGroupPatch, SourceUser, SourceUserPatch } from './connector.js';
import { mergeGroupPatch, mergeUserPatch, observedGroup, observedUser, type Merged } from './merge-patch.js';

export interface Completed<T> {
  /** One whole record per external id, in the order the patches came. */
  records: T[];
  skipped: SkippedEntry[];
}

/**
 * A page's partial users, merged onto the source's observed state (read in one statement), as the
 * whole records the usual write path diffs and writes. Patches of one user apply in order.
 */
export async function completeUserPatches(q: Queryable, sourceId: string, patches: readonly SourceUserPatch[]): Promise<Completed<SourceUser>> {
  const rows = await observedUsersByExternalId(q, sourceId, distinctIds(patches));
  const observed = new Map(rows.map((r) => [r.external_id, observedUser(r)]));
  return mergeAll(patches, observed, mergeUserPatch);
}

/** A page's partial groups, merged onto the source's observed groups (read in one statement). */
export async function completeGroupPatches(q: Queryable, sourceId: string, patches: readonly SourceGroupPatch[]): Promise<Completed<SourceGroup>> {
  const rows = await observedGroupsByExternalId(q, sourceId, distinctIds(patches));
  const observed = new Map(rows.map((r) => [r.external_id, observedGroup(r)]));
  return mergeAll(patches, observed, mergeGroupPatch);
}

function distinctIds(patches: ReadonlyArray<{ externalId: string }>): string[] {
  return [...new Set(patches.map((p) => p.externalId))];
}

function mergeAll<P extends { externalId: string }, T>(
  patches: readonly P[],
  observed: ReadonlyMap<string, T>,
  merge: (observed: T | undefined, patch: P) => Merged<T>,
): Completed<T> {
  const merged = new Map<string, T>();
  const skipped = new Map<string, SkippedEntry>();
  for (const patch of patches) {
    const id = patch.externalId;
    const outcome = merge(merged.get(id) ?? observed.get(id), patch);
    // Only a patch with nothing to merge onto is skipped: a later one of that id may still create it.
    if ('skipped' in outcome) {
      skipped.set(id, outcome.skipped);
      continue;
    }
    merged.set(id, outcome.record);
    skipped.delete(id);
  }
  return { records: [...merged.values()], skipped: [...skipped.values()] };
}
