import type { Connector, DeltaOptions, ListOptions } from '../../src/connector/connector.js';
import { ConnectorError } from '../../src/connector/errors.js';
import { carryCursor } from '../shared/carry-cursor.js';
import { HttpClient } from '../shared/http-client.js';
import { RateLimiter } from '../shared/rate-limiter.js';
import { describeOktaError, OktaClient } from './client.js';
import type { OktaSourceConfig } from './config.js';
import { oktaListing, type OktaListingContext } from './listing.js';
import { createOktaTokenProvider } from './token-provider.js';

export { oktaSourceConfig, type OktaSourceConfig } from './config.js';

export interface OktaConnectorDeps {
  /** Where the secrets named by the config (`apiTokenEnv`, `oauth.privateKeyEnv`) are read. */
  env: Readonly<Record<string, string | undefined>>;
  sourceId: string;
  /** HTTP for the API and the token endpoint; default the global `fetch`. */
  fetch?: typeof fetch | undefined;
  now?: () => number;
}

/** Okta's page caps: users 200, groups 10,000, group members 1,000. */
const MAX = { users: 200, groups: 10_000, members: 1000 };
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * Okta's Users and Groups APIs, and its System Log for deletions. The cursor is an ISO-8601
 * instant (the start of the previous run); a delta lists users and groups updated after it and
 * reads the users deleted since (see `oktaListing`).
 */
export function createOktaConnector(config: OktaSourceConfig, deps: OktaConnectorDeps): Connector {
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const now = deps.now ?? Date.now;
  const auth = createOktaTokenProvider(config, { env: deps.env, sourceId: deps.sourceId, fetch: fetchImpl, now });
  // The System Log is a rate-limit bucket of its own: its pauses need not hold the listings, nor theirs it.
  const httpFor = (limiter: RateLimiter) =>
    new HttpClient({ sourceId: deps.sourceId, api: 'Okta API', fetch: fetchImpl, auth, describeError: describeOktaError, retry: config.retry, limiter, now });
  const size = config.pageSize ?? 200;
  const ctx: OktaListingContext = {
    okta: new OktaClient(httpFor(new RateLimiter({ now })), config.orgUrl),
    systemLog: new OktaClient(httpFor(new RateLimiter({ now })), config.orgUrl),
    sourceId: deps.sourceId,
    limits: { users: Math.min(MAX.users, size), groups: Math.min(MAX.groups, size), members: Math.min(MAX.members, size) },
    concurrency: config.concurrency,
    now,
  };
  return {
    kind: 'okta',
    full(options: ListOptions = {}) {
      const listing = oktaListing(ctx, options, undefined);
      return carryCursor(listing.pages, listing.cursor);
    },
    delta(options: DeltaOptions) {
      if (!ISO_INSTANT.test(options.cursor) || Number.isNaN(Date.parse(options.cursor))) {
        return failing(new ConnectorError('connector_config', `source "${deps.sourceId}": the delta cursor is not an Okta cursor; run a full sync`, { sourceId: deps.sourceId }));
      }
      const listing = oktaListing(ctx, options, new Date(options.cursor).toISOString());
      return carryCursor(listing.pages, listing.cursor);
    },
  };
}

async function* failing(error: Error): AsyncGenerator<never> {
  throw error;
}
