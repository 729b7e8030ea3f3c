import type { INetworkModule } from '@azure/msal-node';
import { attributeView, directoryAttributesOf } from '../../src/domain/source-attribute-views.js';
import type { Connector, DeltaOptions, ListOptions } from '../../src/connector/connector.js';
import { carryCursor } from '../shared/carry-cursor.js';
import { HttpClient } from '../shared/http-client.js';
import { RateLimiter } from '../shared/rate-limiter.js';
import { describeGraphError, GraphClient } from './client.js';
import type { EntraSourceConfig } from './config.js';
import { deltaListing } from './delta-listing.js';
import { fullListing, type ListingContext } from './full-listing.js';
import { createMsalTokenProvider } from './token-provider.js';

export { entraSourceConfig, type EntraSourceConfig } from './config.js';

export interface EntraConnectorDeps {
  /** Where the secrets named by the config (`clientSecretEnv`, `certificate.privateKeyEnv`) are read. */
  env: Readonly<Record<string, string | undefined>>;
  sourceId: string;
  /** HTTP for Graph; default the global `fetch`. */
  fetch?: typeof fetch | undefined;
  /** MSAL's HTTP client for the token endpoint; default MSAL's own. */
  msalNetworkClient?: INetworkModule | undefined;
}

/** Graph caps `odata.maxpagesize` for users and groups at 999. */
const MAX_PAGE_SIZE = 999;

/**
 * Microsoft Entra ID through Microsoft Graph: `/users/delta` and `/groups/delta`, with the two
 * deltaLinks as the cursor. With `scopeGroups` the connector offers no delta (membership of the
 * scope can change without any user changing), so every run is a full one.
 */
export function createEntraConnector(config: EntraSourceConfig, deps: EntraConnectorDeps): Connector {
  const http = new HttpClient({
    sourceId: deps.sourceId,
    api: 'Microsoft Graph',
    fetch: deps.fetch ?? globalThis.fetch,
    auth: createMsalTokenProvider(config, deps),
    describeError: describeGraphError,
    retry: config.retry,
    limiter: new RateLimiter(),
  });
  const ctx: ListingContext = {
    graph: new GraphClient(http, config.graphUrl),
    sourceId: deps.sourceId,
    pageSize: Math.min(MAX_PAGE_SIZE, config.pageSize ?? MAX_PAGE_SIZE),
    groupPageSize: 100,
    scopeGroups: config.scopeGroups,
    extraUserProperties: directoryAttributesOf(attributeView('entra', config.attributes ?? {})),
  };
  const connector: Connector = {
    kind: 'entra',
    full(options: ListOptions = {}) {
      const listing = fullListing(ctx, options);
      return carryCursor(listing.pages, listing.cursor);
    },
  };
  if (config.scopeGroups.length === 0) {
    connector.delta = (options: DeltaOptions) => {
      const listing = deltaListing(ctx, options);
      return carryCursor(listing.pages, listing.cursor);
    };
  }
  return connector;
}
