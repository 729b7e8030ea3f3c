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

export type ConnectorFactory = (source: PulledSourceConfig, deps: ConnectorDeps) => Promise<Connector>;

/**
 * One connector per directory kind, each given only its own parsed config and the secrets lookup.
 * Each kind's code (and its auth library) is loaded only when a source of that kind runs.
 *
 * Every connector runs on the calling thread. (LDAP was once read on a worker thread. That cost a
 * second V8 heap, and a copy of every page between threads: bench:ldap peaked at 279-295 MB with
 * it and 207-234 MB without, and its first full sync took about as long either way.)
 */
export const createConnector: ConnectorFactory = async (source, deps) => {
  const common = { env: deps.env, sourceId: source.id };
  switch (source.kind) {
    case 'ldap':
      return (await import('../../connectors/ldap/index.js')).createLdapConnector(source, common);
    case 'entra':
      return (await import('../../connectors/entra/index.js')).createEntraConnector(source, { ...common, fetch: deps.fetch });
    case 'okta':
      return (await import('../../connectors/okta/index.js')).createOktaConnector(source, { ...common, fetch: deps.fetch });
    case 'google':
      return (await import('../../connectors/google/index.js')).createGoogleConnector(source, { ...common, fetch: deps.fetch });
  }
};
