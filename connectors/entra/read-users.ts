import type { ListOptions, SkippedEntry, SourceUser } from '../../src/connector/connector.js';
import type { ListingContext } from './full-listing.js';
import { mapUser, userSelect } from './map.js';

/** Graph accepts at most 15 values in one `in` expression. */
const IN_LIMIT = 15;

/**
 * Reads users whole, by id, 15 to a request (`/users?$filter=id in (…)`): for delta records that
 * change `mail` or `userPrincipalName` without the other (see `mapUserChange`). A user that is gone
 * by now is skipped as `not-found`: the next delta round reports its removal.
 */
export async function readUsers(ctx: ListingContext, ids: readonly string[], options: ListOptions): Promise<{ users: SourceUser[]; skipped: SkippedEntry[] }> {
  const users: SourceUser[] = [];
  const skipped: SkippedEntry[] = [];
  for (let i = 0; i < ids.length; i += IN_LIMIT) {
    const chunk = ids.slice(i, i + IN_LIMIT);
    const filter = `id in (${chunk.map((id) => `'${id.replace(/'/g, "''")}'`).join(',')})`;
    const found = new Set<string>();
    const path = `/users?$filter=${encodeURIComponent(filter)}&$select=${userSelect(ctx.extraUserProperties)}`;
    for await (const page of ctx.graph.pages(path, options)) {
      for (const raw of page.value) {
        const entry = mapUser(raw, ctx.extraUserProperties);
        if (entry.kind === 'user') {
          found.add(entry.user.externalId);
          users.push(entry.user);
        } else if (entry.kind === 'skipped') {
          if (entry.skipped.externalId !== undefined) found.add(entry.skipped.externalId);
          skipped.push(entry.skipped);
        }
      }
    }
    for (const id of chunk) if (!found.has(id)) skipped.push({ externalId: id, reason: 'not-found', detail: 'deleted while the delta was read' });
  }
  return { users, skipped };
}
