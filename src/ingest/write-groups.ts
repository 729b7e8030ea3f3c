import type { Queryable } from '../store/db.js';
import { addMemberPairs, distinctMembersOfGroups, membersOfGroups, removeMemberPairs, type MemberPair } from '../store/observed/group-member-writes.js';
import { bumpGroupVersions, lockStoredGroups, storeMembersHashes, upsertGroups, type GroupBeforeWrite, type GroupRow } from '../store/observed/group-writes.js';
import { groupHash, membersHash } from './record-hashes.js';
import type { GroupRecord, WrittenRow } from './records.js';
import { readUnchanged, recordUpserted, writtenRow } from './written-rows.js';

/** What one group write did: the rows as written, and each person it touched with why. */
export interface GroupsWritten {
  rows: WrittenRow[];
  /** Source user id → cause. */
  touched: Map<string, string>;
}

/** The groups as stored before the write, and the member lists that may change. */
interface StoredGroups {
  existing: Map<string, GroupBeforeWrite>;
  /** Current members of the groups whose member list may have changed. */
  currentMembers: Map<string, Set<string>>;
  /** The members hash each group written with a member list will have. */
  nextMembersHash: Map<string, string>;
  /** Whether a group's member list is the one stored (same hash, group live): its member rows are not read. */
  sameMembers(id: string): boolean;
}

interface GroupWritePlan {
  /** Groups whose content changed (or that are new). */
  rows: GroupRow[];
  memberAdds: MemberPair[];
  memberRemoves: MemberPair[];
  /** Live groups whose content (a rule may match their name) changed. */
  renamed: string[];
  /** Groups whose members changed but content did not: their version is bumped. */
  bumpOnly: string[];
  touched: Map<string, string>;
}

/**
 * Writes groups within `tx`; where `memberIds` is given, the member list becomes exactly that. A
 * renamed group touches all its members; a member list change touches those added or removed.
 */
export async function writeGroupsIn(tx: Queryable, sourceId: string, groups: readonly GroupRecord[], cause: string): Promise<GroupsWritten> {
  const stored = await readStoredGroups(tx, sourceId, groups);
  const plan = planGroupWrites(groups, stored, cause);
  const { written, insertedHere } = await writeGroupRows(tx, sourceId, plan, stored);
  await removeMemberPairs(tx, sourceId, plan.memberRemoves);
  await addMemberPairs(tx, sourceId, plan.memberAdds, insertedHere);
  await storeChangedMembersHashes(tx, sourceId, stored);
  await touchMembersOfRenamed(tx, sourceId, plan, cause);
  const unchanged = groups.map((g) => g.id).filter((id) => !written.has(id));
  await readUnchanged(tx, 'groups', sourceId, unchanged, written);
  return { rows: groups.map((g) => written.get(g.id)).filter((w): w is WrittenRow => w !== undefined), touched: plan.touched };
}

async function readStoredGroups(tx: Queryable, sourceId: string, groups: readonly GroupRecord[]): Promise<StoredGroups> {
  const found = await lockStoredGroups(tx, sourceId, groups.map((g) => g.id));
  const existing = new Map(found.map((r) => [r.id, r]));
  const nextMembersHash = new Map<string, string>();
  for (const g of groups) if (g.memberIds !== undefined) nextMembersHash.set(g.id, g.membersHash ?? membersHash(g.memberIds));
  const sameMembers = (id: string) => {
    const before = existing.get(id);
    return before !== undefined && !before.deleted && before.members_hash !== null && before.members_hash === nextMembersHash.get(id);
  };
  // Member rows are read only for groups whose member list may have changed.
  const currentMembers = new Map<string, Set<string>>();
  const withMembers = groups.filter((g) => g.memberIds !== undefined && !sameMembers(g.id)).map((g) => g.id);
  if (withMembers.length > 0) {
    for (const m of await membersOfGroups(tx, sourceId, withMembers)) {
      let set = currentMembers.get(m.group_id);
      if (!set) currentMembers.set(m.group_id, (set = new Set()));
      set.add(m.user_id);
    }
  }
  return { existing, currentMembers, nextMembersHash, sameMembers };
}

/** Compares each group with what is stored: which rows to write, which members to add and remove, whom that touches. */
function planGroupWrites(groups: readonly GroupRecord[], stored: StoredGroups, cause: string): GroupWritePlan {
  const plan: GroupWritePlan = { rows: [], memberAdds: [], memberRemoves: [], renamed: [], bumpOnly: [], touched: new Map() };
  for (const group of groups) {
    const hash = groupHash(group);
    const before = stored.existing.get(group.id);
    const contentChanged = !before || before.deleted || before.content_hash !== hash;
    let membersChanged = false;
    if (group.memberIds !== undefined && !stored.sameMembers(group.id)) {
      const now = stored.currentMembers.get(group.id) ?? new Set<string>();
      const next = new Set(group.memberIds);
      const added = `${cause} (added to group ${group.displayName})`;
      const removed = `${cause} (removed from group ${group.displayName})`;
      for (const u of next) if (!now.has(u)) plan.memberAdds.push({ groupId: group.id, userId: u }), plan.touched.set(u, added), (membersChanged = true);
      for (const u of now) if (!next.has(u)) plan.memberRemoves.push({ groupId: group.id, userId: u }), plan.touched.set(u, removed), (membersChanged = true);
    }
    if (contentChanged) {
      plan.rows.push({ id: group.id, external_id: group.externalId, display_name: group.displayName, aliases: group.aliases, attributes: group.attributes, content_hash: hash });
      if (before && !before.deleted) plan.renamed.push(group.id);
    } else if (membersChanged) {
      plan.bumpOnly.push(group.id);
    }
  }
  return plan;
}

/** Upserts the changed groups and bumps the version of those whose members alone changed. */
async function writeGroupRows(
  tx: Queryable,
  sourceId: string,
  plan: GroupWritePlan,
  stored: StoredGroups,
): Promise<{ written: Map<string, WrittenRow>; insertedHere: Set<string> }> {
  const written = new Map<string, WrittenRow>();
  const insertedHere = new Set<string>();
  if (plan.rows.length > 0) {
    const upserted = await upsertGroups(tx, sourceId, plan.rows);
    recordUpserted(written, upserted, stored.existing);
    for (const r of upserted) if (r.inserted) insertedHere.add(r.id);
  }
  if (plan.bumpOnly.length > 0) {
    for (const r of await bumpGroupVersions(tx, sourceId, plan.bumpOnly)) written.set(r.id, writtenRow(r, 'updated'));
  }
  return { written, insertedHere };
}

/** Stores the members hash of each group written with a member list, where it changed. */
async function storeChangedMembersHashes(tx: Queryable, sourceId: string, { existing, nextMembersHash }: StoredGroups): Promise<void> {
  const hashesToStore = [...nextMembersHash].filter(([id, hash]) => existing.get(id)?.members_hash !== hash || existing.get(id)?.deleted);
  await storeMembersHashes(tx, sourceId, hashesToStore);
}

/** Rules match group names: every member of a renamed group is touched (unless already touched for a member change). */
async function touchMembersOfRenamed(tx: Queryable, sourceId: string, { renamed, touched }: GroupWritePlan, cause: string): Promise<void> {
  if (renamed.length === 0) return;
  const members = await distinctMembersOfGroups(tx, sourceId, renamed);
  const renamedCause = `${cause} (group renamed)`;
  for (const userId of members) if (!touched.has(userId)) touched.set(userId, renamedCause);
}
