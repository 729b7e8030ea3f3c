import type { Queryable } from '../db.js';
import type { ObservedMemberRow } from './observed-rows.js';

/*
 * How ingest writes `source_group_members`. Called from src/ingest only, the single writer of
 * observed state (see written-rows.ts). Pairs travel as two parallel uuid arrays for one `unnest`.
 */

/** One member row: a source user in a source group. */
export interface MemberPair {
  groupId: string;
  userId: string;
}

const MEMBERS_OF_GROUPS = 'select group_id, user_id from source_group_members where source_id = $1 and group_id = any($2::uuid[])';

/** The member rows of these groups. */
export async function membersOfGroups(tx: Queryable, sourceId: string, groupIds: readonly string[]): Promise<Array<Pick<ObservedMemberRow, 'group_id' | 'user_id'>>> {
  const r = await tx.query<Pick<ObservedMemberRow, 'group_id' | 'user_id'>>(MEMBERS_OF_GROUPS, [sourceId, groupIds]);
  return r.rows;
}

const DISTINCT_MEMBERS_OF_GROUPS = 'select distinct user_id from source_group_members where source_id = $1 and group_id = any($2::uuid[])';

/** The users that are members of any of these groups, each once. */
export async function distinctMembersOfGroups(tx: Queryable, sourceId: string, groupIds: readonly string[]): Promise<string[]> {
  const r = await tx.query<{ user_id: string }>(DISTINCT_MEMBERS_OF_GROUPS, [sourceId, groupIds]);
  return r.rows.map((m) => m.user_id);
}

const REMOVE_MEMBER_PAIRS = `delete from source_group_members m using unnest($2::uuid[], $3::uuid[]) as d(g, u)
        where m.source_id = $1 and m.group_id = d.g and m.user_id = d.u`;

export async function removeMemberPairs(tx: Queryable, sourceId: string, pairs: readonly MemberPair[]): Promise<void> {
  if (pairs.length === 0) return;
  await tx.query(REMOVE_MEMBER_PAIRS, [sourceId, pairs.map((m) => m.groupId), pairs.map((m) => m.userId)]);
}

const addMemberPairsText = (onConflict: string) => `insert into source_group_members (source_id, group_id, user_id)
       select $1, g, u from unnest($2::uuid[], $3::uuid[]) as a(g, u) ${onConflict}`;

/** For groups this transaction inserted: no other transaction sees them, so no member row can conflict. */
const ADD_MEMBER_PAIRS_TO_NEW_GROUPS = addMemberPairsText('');

const ADD_MEMBER_PAIRS = addMemberPairsText('on conflict do nothing');

/**
 * Adds member rows. Those of a group the caller's transaction inserted (`insertedHere`) cannot
 * exist already, so they skip the costlier conflict check; the others ignore a row already there.
 */
export async function addMemberPairs(tx: Queryable, sourceId: string, pairs: readonly MemberPair[], insertedHere: ReadonlySet<string>): Promise<void> {
  if (pairs.length === 0) return;
  const toNew = pairs.filter((m) => insertedHere.has(m.groupId));
  const toOld = toNew.length === pairs.length ? [] : pairs.filter((m) => !insertedHere.has(m.groupId));
  for (const [adds, text] of [[toNew, ADD_MEMBER_PAIRS_TO_NEW_GROUPS], [toOld, ADD_MEMBER_PAIRS]] as const) {
    if (adds.length === 0) continue;
    await tx.query(text, [sourceId, adds.map((m) => m.groupId), adds.map((m) => m.userId)]);
  }
}

const REMOVE_USERS_FROM_GROUPS = 'delete from source_group_members where source_id = $1 and user_id = any($2::uuid[]) returning group_id';

/** Removes these users from every group of the source; returns the group of each row removed. */
export async function removeUsersFromGroups(tx: Queryable, sourceId: string, userIds: readonly string[]): Promise<string[]> {
  const r = await tx.query<{ group_id: string }>(REMOVE_USERS_FROM_GROUPS, [sourceId, userIds]);
  return r.rows.map((m) => m.group_id);
}

const REMOVE_MEMBERS_OF_GROUP = 'delete from source_group_members where source_id = $1 and group_id = $2 and user_id = any($3::uuid[]) returning user_id';

/** Removes these users from one group; returns those that were members. */
export async function removeMembersOfGroup(tx: Queryable, sourceId: string, groupId: string, userIds: readonly string[]): Promise<string[]> {
  const r = await tx.query<{ user_id: string }>(REMOVE_MEMBERS_OF_GROUP, [sourceId, groupId, userIds]);
  return r.rows.map((m) => m.user_id);
}

const ADD_MEMBERS_TO_GROUP = `insert into source_group_members (source_id, group_id, user_id)
             select $1, $2, u from unnest($3::uuid[]) as u on conflict do nothing returning user_id`;

/** Adds these users to one group; returns those that were not members already. */
export async function addMembersToGroup(tx: Queryable, sourceId: string, groupId: string, userIds: readonly string[]): Promise<string[]> {
  const r = await tx.query<{ user_id: string }>(ADD_MEMBERS_TO_GROUP, [sourceId, groupId, userIds]);
  return r.rows.map((m) => m.user_id);
}

const REMOVE_ALL_MEMBERS_OF_GROUPS = 'delete from source_group_members where source_id = $1 and group_id = any($2::uuid[]) returning user_id';

/** Removes every member row of these groups; returns the user of each row removed. */
export async function removeAllMembersOfGroups(tx: Queryable, sourceId: string, groupIds: readonly string[]): Promise<string[]> {
  const r = await tx.query<{ user_id: string }>(REMOVE_ALL_MEMBERS_OF_GROUPS, [sourceId, groupIds]);
  return r.rows.map((m) => m.user_id);
}
