import type { ConnectorPage, ListOptions, SkippedEntry, SourceGroup, SourceUser } from '../../src/connector/connector.js';
import { mapConcurrent } from '../shared/map-concurrent.js';
import type { GoogleClient } from './client.js';
import { mapGroup, mapUser, splitMembers } from './map.js';

export interface GoogleListingContext {
  google: GoogleClient;
  /** `customer=…` or `domain=…` */
  scope: Record<string, string>;
  /** `maxResults` of users (≤ 500), groups and members (≤ 200). */
  limits: { users: number; groups: number; members: number };
  concurrency: number;
}

interface DirectMembers {
  users: string[];
  groups: string[];
}

/**
 * Every user, then every group with its user members, nested groups resolved transitively (each
 * group visited once per resolution, so cycles end). Direct member lists of groups met as nested
 * members are kept for the run — they are usually few — so a group nested in many is read once.
 */
export async function* googleListing(ctx: GoogleListingContext, options: ListOptions): AsyncGenerator<ConnectorPage> {
  const userQuery = { ...ctx.scope, maxResults: String(ctx.limits.users), projection: 'basic', viewType: 'admin_view' };
  for await (const items of ctx.google.pages('/admin/directory/v1/users', userQuery, 'users', options)) {
    const users: SourceUser[] = [];
    const skipped: SkippedEntry[] = [];
    for (const raw of items) {
      const mapped = mapUser(raw);
      if ('user' in mapped) users.push(mapped.user);
      else skipped.push(mapped.skipped);
    }
    yield { users, skipped: skipped.length > 0 ? skipped : undefined };
  }

  const nested = new Map<string, Promise<DirectMembers>>();
  const direct = (groupId: string): Promise<DirectMembers> => directMembers(ctx, groupId, options);
  const nestedMembers = (groupId: string): Promise<DirectMembers> => {
    let members = nested.get(groupId);
    if (!members) nested.set(groupId, (members = direct(groupId)));
    return members;
  };
  const transitive = async (groupId: string): Promise<string[]> => {
    const root = await (nested.get(groupId) ?? direct(groupId));
    if (root.groups.length === 0) return root.users;
    const users = new Set(root.users);
    const seen = new Set([groupId]);
    const queue = [...root.groups];
    while (queue.length > 0) {
      const id = queue.pop() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      const members = await nestedMembers(id);
      for (const user of members.users) users.add(user);
      for (const child of members.groups) if (!seen.has(child)) queue.push(child);
    }
    return [...users];
  };

  const groupQuery = { ...ctx.scope, maxResults: String(ctx.limits.groups) };
  for await (const items of ctx.google.pages('/admin/directory/v1/groups', groupQuery, 'groups', options)) {
    const found: Omit<SourceGroup, 'memberExternalIds'>[] = [];
    const skipped: SkippedEntry[] = [];
    for (const raw of items) {
      const mapped = mapGroup(raw);
      if ('group' in mapped) found.push(mapped.group);
      else skipped.push(mapped.skipped);
    }
    const groups = await mapConcurrent(found, ctx.concurrency, async (group) => ({ ...group, memberExternalIds: await transitive(group.externalId) }));
    yield { groups, skipped: skipped.length > 0 ? skipped : undefined };
  }
}

async function directMembers(ctx: GoogleListingContext, groupId: string, options: ListOptions): Promise<DirectMembers> {
  const out: DirectMembers = { users: [], groups: [] };
  const path = `/admin/directory/v1/groups/${encodeURIComponent(groupId)}/members`;
  for await (const items of ctx.google.pages(path, { maxResults: String(ctx.limits.members) }, 'members', options)) {
    const { users, groups } = splitMembers(items);
    out.users.push(...users);
    out.groups.push(...groups);
  }
  return out;
}
