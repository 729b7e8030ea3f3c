import { z } from 'zod';
import type { ConnectorPage, ListOptions } from '../../src/connector/connector.js';
import { ConnectorError } from '../../src/connector/errors.js';
import type { OktaClient, OktaPage } from './client.js';

/** How long Okta keeps its System Log; it refuses a `since` before that. */
const LOG_RETENTION_MS = 90 * 86_400_000;
/**
 * How far before the window's start the log is read again. An event is `published` when it
 * happened but becomes readable a little later, so one published just before the last read's
 * `until` may not have been there yet. Reading it twice costs nothing: the engine removes only
 * users still live.
 */
const LOG_LAG_MS = 5 * 60_000;
/** The System Log's page cap. */
const PAGE = 1000;
const DELETED = 'user.lifecycle.delete.initiated';

/** The part of a System Log event this reads (Okta's `LogEvent`). */
const logEvent = z
  .object({
    eventType: z.string(),
    outcome: z.object({ result: z.string() }).passthrough().nullish(),
    target: z.array(z.object({ id: z.string().min(1), type: z.string() }).passthrough()).nullish(),
  })
  .passthrough();

export interface DeletedUsersContext {
  /** A client of its own: the System Log has its own rate limit. */
  systemLog: OktaClient;
  sourceId: string;
  now: () => number;
}

/**
 * Users deleted in Okta from `since` to `until` inclusive (epoch ms), as `removedUsers` pages: a deleted user is
 * in no listing any more, only in the System Log (`user.lifecycle.delete.initiated`, the user its
 * `User` target). The request is bounded (`until`), so its `next` links end; a polling one's never do.
 *
 * A token that may not read the log (403: no `okta.logs.read`, or an API token whose admin role
 * may not) yields a `deletions-deferred` notice instead: the run says so, and the next full run
 * finds those users by their absence. A `since` older than the log's retention cannot be read at
 * all: `connector_cursor_expired`, and the run becomes a full one.
 */
export async function* deletedUsers(ctx: DeletedUsersContext, options: ListOptions, window: { since: number; until: number }): AsyncGenerator<ConnectorPage> {
  // A minute's slack: Okta's clock, not ours, decides what is past its retention.
  const oldest = ctx.now() - LOG_RETENTION_MS + 60_000;
  if (window.since < oldest) {
    throw new ConnectorError(
      'connector_cursor_expired',
      `source "${ctx.sourceId}": the last delta ran before the ${LOG_RETENTION_MS / 86_400_000} days Okta keeps its System Log; the users deleted since can only be found by a full run`,
      { sourceId: ctx.sourceId },
    );
  }
  const query = {
    since: new Date(Math.max(window.since - LOG_LAG_MS, oldest)).toISOString(),
    // Okta's `until` is exclusive; a deletion in the very millisecond the run started belongs to it.
    until: new Date(window.until + 1).toISOString(),
    filter: `eventType eq "${DELETED}"`,
    limit: String(PAGE),
    sortOrder: 'ASCENDING',
  };
  const pages = ctx.systemLog.pages('/api/v1/logs', query, options);
  const seen = new Set<string>();
  for (;;) {
    let step: IteratorResult<OktaPage>;
    try {
      step = await pages.next();
    } catch (error) {
      if (!(error instanceof ConnectorError && error.httpStatus === 403)) throw error;
      yield { notices: [forbidden(ctx.sourceId, window.since)] };
      return;
    }
    if (step.done) return;
    const removedUsers: string[] = [];
    for (const id of deletedUserIds(step.value.items)) {
      if (seen.has(id)) continue;
      seen.add(id);
      removedUsers.push(id);
    }
    if (removedUsers.length > 0) yield { removedUsers };
  }
}

/** The `User` targets of successful deletions among `items`; anything else is not about a deleted user. */
function deletedUserIds(items: unknown[]): string[] {
  const ids: string[] = [];
  for (const raw of items) {
    const event = logEvent.safeParse(raw);
    // A failed deletion left the user in place (deprovisioned: the listings tell that).
    if (!event.success || event.data.eventType !== DELETED || event.data.outcome?.result === 'FAILURE') continue;
    for (const target of event.data.target ?? []) if (target.type === 'User') ids.push(target.id);
  }
  return ids;
}

function forbidden(sourceId: string, since: number): { code: string; message: string } {
  return {
    code: 'deletions-deferred',
    message:
      `source "${sourceId}": Okta refused to read its System Log (403), so users deleted in Okta since ${new Date(since).toISOString()} ` +
      'are removed at the next full run, not by this delta; grant the token okta.logs.read (an API token: an admin role that may read the System Log)',
  };
}
