import type { Connector, ConnectorPage, ListOptions } from '../../src/connector/connector.js';
import { HttpClient } from '../shared/http-client.js';
import { RateLimiter } from '../shared/rate-limiter.js';
import type { sleep } from '../shared/sleep.js';
import { describeGoogleError, GoogleClient } from './client.js';
import type { GoogleSourceConfig } from './config.js';
import { googleListing, type GoogleListingContext } from './listing.js';
import { googleThrottleBackoff } from './throttle-backoff.js';
import { createGoogleTokenProvider } from './token-provider.js';

export { googleSourceConfig, type GoogleSourceConfig } from './config.js';

export interface GoogleConnectorDeps {
  /** Where the key file named by `serviceAccountKeyEnv` is read. */
  env: Readonly<Record<string, string | undefined>>;
  sourceId: string;
  /** HTTP for the Directory API and the token endpoint; default the global `fetch`. */
  fetch?: typeof fetch | undefined;
  /** The clock, the source-wide pauses' timer and the backoff's jitter; tests pass virtual ones. */
  now?: () => number;
  sleep?: typeof sleep;
  random?: () => number;
}

/** Directory API page caps: users 500, groups and members 200. */
const MAX = { users: 500, groups: 200, members: 200 };

/**
 * Google Workspace through the Admin SDK Directory API. There is no delta API, so `delta` is
 * absent and every run is a full one; the listing yields no cursor.
 */
export function createGoogleConnector(config: GoogleSourceConfig, deps: GoogleConnectorDeps): Connector {
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const now = deps.now ?? Date.now;
  const http = new HttpClient({
    sourceId: deps.sourceId,
    api: 'Google Directory API',
    fetch: fetchImpl,
    auth: createGoogleTokenProvider(config, { env: deps.env, sourceId: deps.sourceId, fetch: fetchImpl, requestTimeoutMs: config.retry.requestTimeoutMs, now }),
    describeError: describeGoogleError,
    retry: config.retry,
    limiter: new RateLimiter({ now, sleep: deps.sleep }),
    throttleBackoff: googleThrottleBackoff,
    random: deps.random,
    now,
  });
  const size = config.pageSize;
  const ctx: GoogleListingContext = {
    google: new GoogleClient(http, config.directoryUrl),
    scope: config.domain !== undefined ? { domain: config.domain } : { customer: config.customer },
    limits: { users: Math.min(MAX.users, size ?? MAX.users), groups: Math.min(MAX.groups, size ?? MAX.groups), members: Math.min(MAX.members, size ?? MAX.members) },
    concurrency: config.concurrency,
  };
  return {
    kind: 'google',
    full(options: ListOptions = {}): AsyncIterable<ConnectorPage> {
      return googleListing(ctx, options);
    },
  };
}
