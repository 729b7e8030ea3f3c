/**
 * The one place that wires each directory kind idsync pulls from to its config schema and its
 * factory. The config loader takes the schemas from here (to parse `sources:`), the sync engine
 * takes `createConnector`; the connectors themselves import neither, only the connector seam.
 *
 * Each kind's code (and its auth library) is loaded only when a source of that kind runs.
 * Every connector runs on the calling thread: a worker thread would cost a second V8 heap and a
 * copy of every page between threads, for no gain in speed (docs/benchmarks.md).
 */
import type { Connector } from '../src/connector/connector.js';
import { entraSourceConfig, type EntraSourceConfig } from './entra/config.js';
import { googleSourceConfig, type GoogleSourceConfig } from './google/config.js';
import { ldapSourceConfig, type LdapSourceConfig } from './ldap/config.js';
import { ruleAttributeOverrides } from './ldap/presets.js';
import { oktaSourceConfig, type OktaSourceConfig } from './okta/config.js';

/** The config schema of each pulled kind, as members of the `sources:` union. */
export const PULLED_SOURCE_CONFIGS = [ldapSourceConfig, entraSourceConfig, oktaSourceConfig, googleSourceConfig] as const;

export type PulledSourceConfig = LdapSourceConfig | EntraSourceConfig | OktaSourceConfig | GoogleSourceConfig;

const PULLED_KINDS: ReadonlySet<string> = new Set(PULLED_SOURCE_CONFIGS.map((schema) => schema.shape.kind.value));

/** A source idsync pulls from (a directory with a connector), as opposed to one that pushes (SCIM) or is uploaded (CSV). */
export function isPulled<S extends { kind: string }>(source: S): source is Extract<S, PulledSourceConfig> {
  return PULLED_KINDS.has(source.kind);
}

/** The `attributes:` entries of a pulled source that map attributes for rules (LDAP's also remap user fields, which are left out). */
export function ruleAttributeMappingOf(source: PulledSourceConfig): Record<string, string> {
  return source.kind === 'ldap' ? ruleAttributeOverrides(source.attributes) : (source.attributes ?? {});
}

export interface ConnectorDeps {
  /** Where secrets named in the source's config are looked up. */
  env: Readonly<Record<string, string | undefined>>;
  /** HTTP for the cloud connectors; default the global `fetch`. */
  fetch?: typeof fetch | undefined;
}

export type ConnectorFactory = (source: PulledSourceConfig, deps: ConnectorDeps) => Promise<Connector>;

/** One connector per directory kind, each given only its own parsed config and the secrets lookup. */
export const createConnector: ConnectorFactory = async (source, deps) => {
  const common = { env: deps.env, sourceId: source.id };
  switch (source.kind) {
    case 'ldap':
      return (await import('./ldap/index.js')).createLdapConnector(source, common);
    case 'entra':
      return (await import('./entra/index.js')).createEntraConnector(source, { ...common, fetch: deps.fetch });
    case 'okta':
      return (await import('./okta/index.js')).createOktaConnector(source, { ...common, fetch: deps.fetch });
    case 'google':
      return (await import('./google/index.js')).createGoogleConnector(source, { ...common, fetch: deps.fetch });
  }
};
