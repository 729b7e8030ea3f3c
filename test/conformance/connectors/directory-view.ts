import type { ConnectorPage, SourceGroup, SourceUser } from '../../../src/connector/connector.js';
import { mergeGroupPatch, mergeUserPatch } from '../../../src/sync/merge-patch.js';

/** What a listing says the directory holds, by external id: the engine's view, without a database. */
export interface DirectoryView {
  users: Map<string, SourceUser>;
  groups: Map<string, SourceGroup>;
}

/** The view a full listing gives. */
export function viewOf(pages: readonly ConnectorPage[]): DirectoryView {
  return applyDelta({ users: new Map(), groups: new Map() }, pages);
}

/**
 * `view` with a delta applied as the seam defines it: whole records replace, partial ones merge
 * (the engine's own `mergeUserPatch` / `mergeGroupPatch`), a group without `memberExternalIds`
 * keeps its members, `memberChanges` add and remove, `removed*` delete. Pages apply in order.
 */
export function applyDelta(view: DirectoryView, pages: readonly ConnectorPage[]): DirectoryView {
  const users = new Map(view.users);
  const groups = new Map(view.groups);
  for (const page of pages) {
    for (const user of page.users ?? []) users.set(user.externalId, user);
    for (const patch of page.userPatches ?? []) {
      const merged = mergeUserPatch(users.get(patch.externalId), patch);
      if ('record' in merged) users.set(patch.externalId, merged.record);
    }
    for (const id of page.removedUsers ?? []) users.delete(id);
    for (const group of page.groups ?? []) {
      const members = group.memberExternalIds ?? groups.get(group.externalId)?.memberExternalIds;
      groups.set(group.externalId, members === undefined ? group : { ...group, memberExternalIds: members });
    }
    for (const patch of page.groupPatches ?? []) {
      const merged = mergeGroupPatch(groups.get(patch.externalId), patch);
      if ('record' in merged) groups.set(patch.externalId, merged.record);
    }
    for (const change of page.memberChanges ?? []) {
      const group = groups.get(change.groupExternalId);
      if (!group) continue;
      const members = new Set(group.memberExternalIds ?? []);
      for (const id of change.removed) members.delete(id);
      for (const id of change.added) members.add(id);
      groups.set(group.externalId, { ...group, memberExternalIds: [...members] });
    }
    for (const id of page.removedGroups ?? []) groups.delete(id);
  }
  return { users, groups };
}

/**
 * The view as plain, ordered data to compare with `toEqual`: users as they are; groups with their
 * members sorted and limited to users the view holds (a member the directory still names after
 * deleting the user — an OpenLDAP group without refint — is no member to the engine).
 */
export function comparable(view: DirectoryView): { users: SourceUser[]; groups: SourceGroup[] } {
  const users = [...view.users.values()].sort((a, b) => a.externalId.localeCompare(b.externalId));
  const groups = [...view.groups.values()]
    .map((g) => ({ ...g, memberExternalIds: (g.memberExternalIds ?? []).filter((id) => view.users.has(id)).sort() }))
    .sort((a, b) => a.externalId.localeCompare(b.externalId));
  return { users, groups };
}

/** The view in the fixture's terms: users by e-mail, group names → member e-mails. */
export function byEmail(view: DirectoryView): { users: Map<string, { active: boolean }>; groups: Map<string, Set<string>> } {
  const emailOf = new Map([...view.users.values()].map((u) => [u.externalId, (u.email ?? `(no e-mail) ${u.externalId}`).toLowerCase()]));
  const users = new Map([...view.users.values()].map((u) => [(u.email ?? `(no e-mail) ${u.externalId}`).toLowerCase(), { active: u.active }]));
  const groups = new Map(
    [...view.groups.values()].map((g) => [g.displayName, new Set((g.memberExternalIds ?? []).map((id) => emailOf.get(id) ?? `(not listed) ${id}`))]),
  );
  return { users, groups };
}
