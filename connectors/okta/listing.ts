import type { ConnectorPage, ListOptions, SkippedEntry, SourceGroup, SourceUser } from '../../src/sync/connector.js';
import { mapConcurrent } from '../shared/map-concurrent.js';
import type { OktaClient } from './client.js';
import { mapGroup, mapUser, memberIds } from './map.js';

export interface OktaListingContext {
  okta: OktaClient;
  sourceId: string;
  /** `limit` of users, groups and group-member pages. */
  limits: { users: number; groups: number; members: number };
  concurrency: number;
  now: () => number;
}

/**
 * Users, then groups with their members — everything (`since` undefined; Okta leaves
 * deprovisioned users out), or what changed after `since` (`filter=lastUpdated gt …`, which
 * includes deprovisioned users; a group whose members changed moves `lastMembershipUpdated`, and
 * its member list is read again in full). The cursor is the time the listing started — the earlier
 * of our clock and Okta's `Date`, so skew can only re-read a change, never miss one.
 */
export function oktaListing(ctx: OktaListingContext, options: ListOptions, since: string | undefined): { pages: AsyncGenerator<ConnectorPage>; cursor: () => string | undefined } {
  let cursor: string | undefined;
  async function* pages(): AsyncGenerator<ConnectorPage> {
    const startedAt = ctx.now();
    let serverStart: number | undefined;
    const userQuery: Record<string, string> = { limit: String(ctx.limits.users) };
    if (since !== undefined) userQuery['filter'] = `lastUpdated gt "${since}"`;
    for await (const page of ctx.okta.pages('/api/v1/users', userQuery, options)) {
      serverStart ??= page.date;
      const users: SourceUser[] = [];
      const skipped: SkippedEntry[] = [];
      for (const raw of page.items) {
        const mapped = mapUser(raw);
        if ('user' in mapped) users.push(mapped.user);
        else skipped.push(mapped.skipped);
      }
      yield { users, skipped: skipped.length > 0 ? skipped : undefined };
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
