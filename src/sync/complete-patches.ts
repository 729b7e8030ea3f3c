import { observedGroupsByExternalId, observedUsersByExternalId } from '../store/observed/by-external-id.js';
import type { Queryable } from '../store/db.js';
import type { SkippedEntry, SourceGroup, SourceGroupPatch, SourceUser, SourceUserPatch } from '../connector/connector.js';
import { mergeGroupPatch, mergeUserPatch, observedGroup, observedUser, type Merged } from './merge-patch.js';

export interface Completed<T> {
  /** One whole record per external id, in the order the patches came. */
  records: T[];
  skipped: SkippedEntry[];
}

/**
 * What the run has already read of some entries, by external id: the latest record, or `null`
 * for an entry it read as removed. A patch of such an entry merges onto that, never onto observed
 * state (which this run's own records have overtaken).
 */
export type ReadInRun<T> = ReadonlyMap<string, T | null>;

const NOTHING_READ: ReadInRun<never> = new Map();

/**
 * A page's partial users, merged onto what this run read of them (`inRun`), else onto the
 * source's observed state (read in one statement), as the whole records the usual write path
 * diffs and writes. Patches of one user apply in order.
 */
export async function completeUserPatches(
  q: Queryable,
  sourceId: string,
  patches: readonly SourceUserPatch[],
  inRun: ReadInRun<SourceUser> = NOTHING_READ,
): Promise<Completed<SourceUser>> {
  const rows = await observedUsersByExternalId(q, sourceId, idsToRead(patches, inRun));
  const observed = new Map(rows.map((r) => [r.external_id, observedUser(r)]));
  return mergeAll(patches, inRun, observed, mergeUserPatch);
}

/** A page's partial groups, merged onto what this run read of them, else onto the source's observed groups (read in one statement). */
export async function completeGroupPatches(
  q: Queryable,
  sourceId: string,
  patches: readonly SourceGroupPatch[],
  inRun: ReadInRun<SourceGroup> = NOTHING_READ,
): Promise<Completed<SourceGroup>> {
  const rows = await observedGroupsByExternalId(q, sourceId, idsToRead(patches, inRun));
  const observed = new Map(rows.map((r) => [r.external_id, observedGroup(r)]));
  return mergeAll(patches, inRun, observed, mergeGroupPatch);
}

/** The distinct ids of the patches whose base is observed state. */
function idsToRead(patches: ReadonlyArray<{ externalId: string }>, inRun: ReadInRun<unknown>): string[] {
  const ids = new Set<string>();
  for (const p of patches) if (!inRun.has(p.externalId)) ids.add(p.externalId);
  return [...ids];
}

function mergeAll<P extends { externalId: string }, T>(
  patches: readonly P[],
  inRun: ReadInRun<T>,
  observed: ReadonlyMap<string, T>,
  merge: (observed: T | undefined, patch: P) => Merged<T>,
): Completed<T> {
  const merged = new Map<string, T>();
  const skipped = new Map<string, SkippedEntry>();
  for (const patch of patches) {
    const id = patch.externalId;
    const base = merged.get(id) ?? (inRun.has(id) ? (inRun.get(id) ?? undefined) : observed.get(id));
    const outcome = merge(base, patch);
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
