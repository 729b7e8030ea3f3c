import { groupHash } from '../ingest/ingest.js';
import type { GroupRecord } from '../ingest/records.js';
import type { SourceRecords } from '../store/observed/source-records.js';
import { withMembers } from './to-records.js';

/** A group as a page gave it, not yet compared. */
export interface FreshGroup {
  /** Without its members (`toGroupRecord`). */
  record: GroupRecord;
  /** The members' external ids; `undefined` when the page left the member list as it is. */
  members: readonly string[] | undefined;
  membersHash: string | undefined;
}

export interface GroupDiff {
  /** New or changed groups, with their member lists where the page gave one. */
  changed: GroupRecord[];
  /** Groups whose members are unchanged but whose stored member hash is not current: [id, hash]. */
  staleMemberHashes: Array<[string, string]>;
  /** How many of the groups were live in observed state. */
  live: number;
}

/**
 * Compares groups with observed state by content hash; the stored member-list hash settles most
 * groups' members, and member rows are read only where it cannot.
 */
export async function diffGroups(observed: SourceRecords, sourceId: string, fresh: readonly FreshGroup[]): Promise<GroupDiff> {
  const byId = new Map((await observed.groups(fresh.map((f) => f.record.id))).map((r) => [r.id, r]));
  const diff: GroupDiff = { changed: [], staleMemberHashes: [], live: 0 };
  const unsettled: GroupRecord[] = [];
  for (const f of fresh) {
    const before = byId.get(f.record.id);
    if (before?.live) diff.live++;
    if (!before || !before.live || before.content_hash !== groupHash(f.record)) diff.changed.push(complete(sourceId, f));
    else if (f.members !== undefined && before.members_hash !== f.membersHash) unsettled.push(complete(sourceId, f));
  }
  if (unsettled.length > 0) await compareMemberRows(observed, unsettled, diff);
  return diff;
}

/** Groups whose member hash is missing or older: compared row by row. */
async function compareMemberRows(observed: SourceRecords, unsettled: readonly GroupRecord[], diff: GroupDiff): Promise<void> {
  const stored = await observed.members(unsettled.map((g) => g.id));
  for (const g of unsettled) {
    const now = stored.get(g.id) ?? new Set<string>();
    const next = new Set(g.memberIds);
    if (next.size !== now.size || [...next].some((u) => !now.has(u))) diff.changed.push(g);
    // Same members under a missing or older hash: store this one, so the next run need not read the rows.
    else diff.staleMemberHashes.push([g.id, g.membersHash as string]);
  }
}

/** The group as ingest writes it: with its member list, when the directory gave one. */
function complete(sourceId: string, f: FreshGroup): GroupRecord {
  return f.members === undefined ? f.record : withMembers(sourceId, f.record, f.members, f.membersHash as string);
}
