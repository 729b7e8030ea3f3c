import type { ConnectorPage, ListOptions, SkippedEntry, SourceGroup, SourceUser } from '../../src/connector/connector.js';
import { mapConcurrent } from '../shared/map-concurrent.js';
import type { OktaClient } from './client.js';
import { deletedUsers, type DeletedUsersContext } from './deleted-users.js';
import { mapGroup, mapUser, memberIds } from './map.js';

export interface OktaListingContext extends DeletedUsersContext {
  okta: OktaClient;
  /** `limit` of users, groups and group-member pages. */
  limits: { users: number; groups: number; members: number };
  concurrency: number;
}

/**
 * Users, then groups with their members — everything (`since` undefined; Okta leaves
 * deprovisioned users out, and the engine takes a user it no longer lists as deleted), or what
 * changed after `since`:
 * - users deleted since then, from the System Log (`deletedUsers`), first, so a user deleted
 *   while the listings run cannot be listed after its removal;
 * - users updated since then (`filter=lastUpdated gt …`), then the deprovisioned ones among them
 *   asked for by name (`status eq "DEPROVISIONED" and …`): Okta leaves DEPROVISIONED users out of
 *   any expression that does not name that status, and a deactivated user must lose access now.
 *   One Okta lists both times is yielded once;
 * - groups updated since then (a group whose members changed moves `lastMembershipUpdated`, and
 *   its member list is read again in full).
 * The cursor is the time the listing started — the earlier of our clock and Okta's `Date`, so
 * skew can only re-read a change, never miss one.
 */
export function oktaListing(ctx: OktaListingContext, options: ListOptions, since: string | undefined): { pages: AsyncGenerator<ConnectorPage>; cursor: () => string | undefined } {
  let cursor: string | undefined;
  async function* pages(): AsyncGenerator<ConnectorPage> {
    const startedAt = ctx.now();
    let serverStart: number | undefined;
    if (since !== undefined) yield* deletedUsers(ctx, options, { since: Date.parse(since), until: startedAt });
    const userFilters = since === undefined ? [undefined] : [`lastUpdated gt "${since}"`, `status eq "DEPROVISIONED" and lastUpdated gt "${since}"`];
    /** A delta's ids from its first user listing: Okta may list a deprovisioned user in both. */
    const listed = new Set<string>();
    for (const [i, filter] of userFilters.entries()) {
      const userQuery: Record<string, string> = { limit: String(ctx.limits.users) };
      if (filter !== undefined) userQuery['filter'] = filter;
      for await (const page of ctx.okta.pages('/api/v1/users', userQuery, options)) {
        serverStart ??= page.date;
        const users: SourceUser[] = [];
        const skipped: SkippedEntry[] = [];
        for (const raw of page.items) {
          const mapped = mapUser(raw);
          const id = 'user' in mapped ? mapped.user.externalId : mapped.skipped.externalId;
          if (id !== undefined && userFilters.length > 1) {
            if (i > 0 && listed.has(id)) continue;
            if (i === 0) listed.add(id);
          }
          if ('user' in mapped) users.push(mapped.user);
          else skipped.push(mapped.skipped);
        }
        yield { users, skipped: skipped.length > 0 ? skipped : undefined };
      }
    }

    const groupQuery: Record<string, string> = { limit: String(ctx.limits.groups) };
    if (since !== undefined) groupQuery['filter'] = `lastUpdated gt "${since}" or lastMembershipUpdated gt "${since}"`;
    for await (const page of ctx.okta.pages('/api/v1/groups', groupQuery, options)) {
      const found: Omit<SourceGroup, 'memberExternalIds'>[] = [];
      const skipped: SkippedEntry[] = [];
      for (const raw of page.items) {
        const mapped = mapGroup(raw);
        if ('group' in mapped) found.push(mapped.group);
        else skipped.push(mapped.skipped);
      }
      const groups = await mapConcurrent(found, ctx.concurrency, async (group) => ({ ...group, memberExternalIds: await members(group.externalId) }));
      yield { groups, skipped: skipped.length > 0 ? skipped : undefined };
    }
    cursor = new Date(Math.min(startedAt, serverStart ?? startedAt)).toISOString();
  }

  async function members(groupId: string): Promise<string[]> {
    const out: string[] = [];
    for await (const page of ctx.okta.pages(`/api/v1/groups/${encodeURIComponent(groupId)}/users`, { limit: String(ctx.limits.members) }, options)) {
      out.push(...memberIds(page.items));
    }
    return out;
  }

  return { pages: pages(), cursor: () => cursor };
}
