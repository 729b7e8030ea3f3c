import type { Queryable } from '../store/db.js';
import { groupHash, membersHash } from './record-hashes.js';
import type { GroupRecord, WrittenRow } from './records.js';
import { readUnchanged, recordUpserted, writtenRow, type ReturnedRow } from './written-rows.js';

/** What one group write did: the rows as written, and each person it touched with why. */
export interface GroupsWritten {
  rows: WrittenRow[];
  /** Source user id → cause. */
  touched: Map<string, string>;
}

/** The groups as stored before the write, and the member lists that may change. */
interface StoredGroups {
  existing: Map<string, { id: string; content_hash: string; members_hash: string | null; deleted: boolean }>;
  /** Current members of the groups whose member list may have changed. */
  currentMembers: Map<string, Set<string>>;
  /** The members hash each group written with a member list will have. */
  nextMembersHash: Map<string, string>;
  /** Whether a group's member list is the one stored (same hash, group live): its member rows are not read. */
  sameMembers(id: string): boolean;
}

type MemberRow = { g: string; u: string };

interface GroupWritePlan {
  /** Groups whose content changed (or that are new), as the upsert's records. */
  rows: Array<Record<string, unknown>>;
  memberAdds: MemberRow[];
  memberRemoves: MemberRow[];
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
  await writeMemberChanges(tx, sourceId, plan, insertedHere);
  await storeMembersHashes(tx, sourceId, stored);
  await touchMembersOfRenamed(tx, sourceId, plan, cause);
  const unchanged = groups.map((g) => g.id).filter((id) => !written.has(id));
  await readUnchanged(tx, 'source_groups', sourceId, unchanged, written);
  return { rows: groups.map((g) => written.get(g.id)).filter((w): w is WrittenRow => w !== undefined), touched: plan.touched };
}

async function readStoredGroups(tx: Queryable, sourceId: string, groups: readonly GroupRecord[]): Promise<StoredGroups> {
  const found = await tx.query<{ id: string; content_hash: string; members_hash: string | null; deleted: boolean }>(
    `select id, content_hash, members_hash, deleted_at is not null as deleted from source_groups
      where source_id = $1 and id = any($2::uuid[]) for update`,
    [sourceId, groups.map((g) => g.id)],
  );
  const existing = new Map(found.rows.map((r) => [r.id, r]));
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
    const members = await tx.query<{ group_id: string; user_id: string }>(
      'select group_id, user_id from source_group_members where source_id = $1 and group_id = any($2::uuid[])',
      [sourceId, withMembers],
    );
    for (const m of members.rows) {
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
      for (const u of next) if (!now.has(u)) plan.memberAdds.push({ g: group.id, u }), plan.touched.set(u, added), (membersChanged = true);
      for (const u of now) if (!next.has(u)) plan.memberRemoves.push({ g: group.id, u }), plan.touched.set(u, removed), (membersChanged = true);
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
    const upserted = await tx.query<ReturnedRow & { inserted: boolean }>(
      `insert into source_groups (source_id, id, external_id, display_name, aliases, attributes, content_hash)
       select $1, r.id, r.external_id, r.display_name, array(select jsonb_array_elements_text(r.aliases)), r.attributes, r.content_hash
         from jsonb_to_recordset($2::jsonb) as r(id uuid, external_id text, display_name text, aliases jsonb, attributes jsonb, content_hash text)
       on conflict (source_id, id) do update set
         external_id = excluded.external_id, display_name = excluded.display_name, aliases = excluded.aliases,
         attributes = excluded.attributes, content_hash = excluded.content_hash,
         version = nextval('observed_version'), updated_at = now(), deleted_at = null
       returning id, version, created_at, updated_at, xmax = 0 as inserted`,
      [sourceId, JSON.stringify(plan.rows)],
    );
    recordUpserted(written, upserted.rows, stored.existing);
    for (const r of upserted.rows) if (r.inserted) insertedHere.add(r.id);
  }
  if (plan.bumpOnly.length > 0) {
    const bumped = await tx.query<ReturnedRow>(
      `update source_groups set version = nextval('observed_version'), updated_at = now()
        where source_id = $1 and id = any($2::uuid[]) returning id, version, created_at, updated_at`,
      [sourceId, plan.bumpOnly],
    );
    for (const r of bumped.rows) written.set(r.id, writtenRow(r, 'updated'));
  }
  return { written, insertedHere };
}

async function writeMemberChanges(tx: Queryable, sourceId: string, { memberAdds, memberRemoves }: GroupWritePlan, insertedHere: ReadonlySet<string>): Promise<void> {
  if (memberRemoves.length > 0) {
    await tx.query(
      `delete from source_group_members m using unnest($2::uuid[], $3::uuid[]) as d(g, u)
        where m.source_id = $1 and m.group_id = d.g and m.user_id = d.u`,
      [sourceId, memberRemoves.map((m) => m.g), memberRemoves.map((m) => m.u)],
    );
  }
  if (memberAdds.length === 0) return;
  // Members of a group row this transaction inserted cannot exist elsewhere (no other
  // transaction sees the group yet), so they skip the costlier conflict check.
  const toNew = memberAdds.filter((m) => insertedHere.has(m.g));
  const toOld = toNew.length === memberAdds.length ? [] : memberAdds.filter((m) => !insertedHere.has(m.g));
  for (const [adds, onConflict] of [[toNew, ''], [toOld, 'on conflict do nothing']] as const) {
    if (adds.length === 0) continue;
    await tx.query(
      `insert into source_group_members (source_id, group_id, user_id)
       select $1, g, u from unnest($2::uuid[], $3::uuid[]) as a(g, u) ${onConflict}`,
      [sourceId, adds.map((m) => m.g), adds.map((m) => m.u)],
    );
  }
}

/** Stores the members hash of each group written with a member list, where it changed. */
async function storeMembersHashes(tx: Queryable, sourceId: string, { existing, nextMembersHash }: StoredGroups): Promise<void> {
  const hashesToStore = [...nextMembersHash].filter(([id, hash]) => existing.get(id)?.members_hash !== hash || existing.get(id)?.deleted);
  if (hashesToStore.length === 0) return;
  await tx.query(
    `update source_groups g set members_hash = h.hash from unnest($2::uuid[], $3::text[]) as h(id, hash)
      where g.source_id = $1 and g.id = h.id`,
    [sourceId, hashesToStore.map(([id]) => id), hashesToStore.map(([, hash]) => hash)],
  );
}

/** Rules match group names: every member of a renamed group is touched (unless already touched for a member change). */
async function touchMembersOfRenamed(tx: Queryable, sourceId: string, { renamed, touched }: GroupWritePlan, cause: string): Promise<void> {
  if (renamed.length === 0) return;
  const members = await tx.query<{ user_id: string }>(
    'select distinct user_id from source_group_members where source_id = $1 and group_id = any($2::uuid[])',
    [sourceId, renamed],
  );
  const renamedCause = `${cause} (group renamed)`;
  for (const m of members.rows) if (!touched.has(m.user_id)) touched.set(m.user_id, renamedCause);
}
