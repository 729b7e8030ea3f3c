import type { ConnectorPage, ListOptions, SkippedEntry, SourceGroup, SourceUser } from '../../src/connector/connector.js';
import { ConnectorError } from '../../src/connector/errors.js';
import type { GraphClient } from './client.js';
import { encodeCursor, nestingToRecord } from './cursor.js';
import { mapGroupEntry, mapUser, userSelect } from './map.js';
import { resolveNestedMembers } from './nested-groups.js';
import { resolveScope } from './scope.js';

export interface ListingContext {
  graph: GraphClient;
  sourceId: string;
  /** `Prefer: odata.maxpagesize` (at most 999). */
  pageSize: number;
  /** Groups per emitted page. */
  groupPageSize: number;
  scopeGroups: readonly string[];
  /** Graph properties read beyond what `mapUser` maps: those the source's `attributes:` names for rules. */
  extraUserProperties: readonly string[];
}

interface DirectMembers {
  displayName: string | undefined;
  users: Set<string>;
  groups: Set<string>;
}

/**
 * Every user (`/users/delta`, one connector page per Graph page), then every group with its
 * transitive user members. Graph spreads a large group's `members@delta` over several objects and
 * pages, so groups are only emitted once the whole group round has been read; that keeps group
 * ids and member ids in memory, never user records. The deltaLinks of both rounds become the cursor.
 */
export function fullListing(ctx: ListingContext, options: ListOptions): { pages: AsyncGenerator<ConnectorPage>; cursor: () => string | undefined } {
  let cursor: string | undefined;
  async function* pages(): AsyncGenerator<ConnectorPage> {
    const scope = ctx.scopeGroups.length > 0 ? await resolveScope(ctx.graph, ctx.scopeGroups, ctx.sourceId, options) : undefined;
    let usersLink: string | undefined;
    for await (const page of ctx.graph.pages(`/users/delta?$select=${userSelect(ctx.extraUserProperties)}`, { ...options, pageSize: ctx.pageSize })) {
      const users: SourceUser[] = [];
      const skipped: SkippedEntry[] = [];
      for (const raw of page.value) {
        const entry = mapUser(raw, ctx.extraUserProperties);
        if (entry.kind === 'user' && (scope === undefined || scope.has(entry.user.externalId))) users.push(entry.user);
        else if (entry.kind === 'skipped') skipped.push(entry.skipped);
      }
      usersLink = page.deltaLink ?? usersLink;
      yield { users, skipped: skipped.length > 0 ? skipped : undefined };
    }

    const direct = new Map<string, DirectMembers>();
    let groupsLink: string | undefined;
    for await (const page of ctx.graph.pages('/groups/delta?$select=displayName,members', { ...options, pageSize: ctx.pageSize })) {
      const skipped: SkippedEntry[] = [];
      for (const raw of page.value) {
        const entry = mapGroupEntry(raw);
        if (entry.kind === 'skipped') skipped.push(entry.skipped);
        if (entry.kind !== 'group') continue;
        let group = direct.get(entry.id);
        if (!group) direct.set(entry.id, (group = { displayName: undefined, users: new Set(), groups: new Set() }));
        group.displayName = entry.displayName ?? group.displayName;
        for (const m of entry.members) {
          const set = m.type === 'user' ? group.users : group.groups;
          if (m.removed) set.delete(m.id);
          else set.add(m.id);
        }
      }
      groupsLink = page.deltaLink ?? groupsLink;
      if (skipped.length > 0) yield { skipped };
    }
    if (usersLink === undefined || groupsLink === undefined) {
      throw new ConnectorError('connector_upstream', `source "${ctx.sourceId}": Microsoft Graph ended a delta round without a deltaLink`, { sourceId: ctx.sourceId });
    }

    const nesting = new Map<string, Set<string>>();
    let groups: SourceGroup[] = [];
    let skipped: SkippedEntry[] = [];
    for (const [id, group] of direct) {
      if (group.groups.size > 0) nesting.set(id, group.groups);
      if (group.displayName === undefined) {
        skipped.push({ externalId: id, reason: 'no-display-name' });
        continue;
      }
      let members = [...resolveNestedMembers(direct, id)];
      if (scope !== undefined) members = members.filter((m) => scope.has(m));
      groups.push({ externalId: id, displayName: group.displayName, memberExternalIds: members });
      if (groups.length >= ctx.groupPageSize) {
        yield { groups, skipped: skipped.length > 0 ? skipped : undefined };
        groups = [];
        skipped = [];
      }
    }
    yield { groups, skipped: skipped.length > 0 ? skipped : undefined };
    cursor = encodeCursor({ v: 1, users: usersLink, groups: groupsLink, nested: nestingToRecord(nesting) });
  }
  return { pages: pages(), cursor: () => cursor };
}
