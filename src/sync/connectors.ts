import { createEntraConnector } from '../../connectors/entra/index.js';
import { createGoogleConnector } from '../../connectors/google/index.js';
import { createLdapConnector } from '../../connectors/ldap/index.js';
import { createOktaConnector } from '../../connectors/okta/index.js';
import type { Env } from '../config/env.js';
import type { SourceConfig } from '../config/schema.js';
import type { Connector } from './connector.js';

export type PulledSourceConfig = Extract<SourceConfig, { kind: 'ldap' | 'entra' | 'okta' | 'google' }>;

export function isPulled(source: SourceConfig): source is PulledSourceConfig {
  return source.kind === 'ldap' || source.kind === 'entra' || source.kind === 'okta' || source.kind === 'google';
}

export interface ConnectorDeps {
  env: Env;
  /** HTTP for the cloud connectors; default the global `fetch`. */
  fetch?: typeof fetch | undefined;
}

export type ConnectorFactory = (source: PulledSourceConfig, deps: ConnectorDeps) => Connector;

/** One connector per directory kind, each given only its own parsed config and the secrets lookup. */
export const createConnector: ConnectorFactory = (source, deps) => {
  const common = { env: deps.env, sourceId: source.id };
  switch (source.kind) {
    case 'ldap':
      return createLdapConnector(source, common);
    case 'entra':
      return createEntraConnector(source, { ...common, fetch: deps.fetch });
    case 'okta':
      return createOktaConnector(source, { ...common, fetch: deps.fetch });
    case 'google':
      return createGoogleConnector(source, { ...common, fetch: deps.fetch });
  }
};
