/** The sync engine's view of the connector registry (connectors/registry.ts). */
export { createConnector, isPulled, type ConnectorDeps, type ConnectorFactory, type PulledSourceConfig } from '../../connectors/registry.js';
