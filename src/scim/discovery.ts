/**
 * The discovery resources (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas, built
 * with scimmy's own schemas for them and its RFC 7643 attribute definitions, so that what `/Schemas`
 * describes is exactly what requests are validated against.
 */
import SCIMMY from 'scimmy';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './schema-urns.js';
import type { JsonObject } from './json.js';
import { listResponse } from './list-response.js';
import { MAX_COUNT } from './list-query.js';
import { EnterpriseUserDefinition, GroupDefinition, UserDefinition } from './schema/scimmy-schemas.js';

export interface ServiceLimits {
  /** Operations one Bulk request may carry (advertised as `bulk.maxOperations`). */
  bulkMaxOperations: number;
  /** Largest request body, in bytes (advertised as `bulk.maxPayloadSize`; enforced for every request). */
  maxPayloadBytes: number;
}

export function serviceProviderConfig(base: string, limits: ServiceLimits): JsonObject {
  const config = new SCIMMY.Schemas.ServiceProviderConfig(
    {
      documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
      patch: { supported: true },
      bulk: { supported: true, maxOperations: limits.bulkMaxOperations, maxPayloadSize: limits.maxPayloadBytes },
      filter: { supported: true, maxResults: MAX_COUNT },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [
        {
          type: 'oauthbearertoken',
          name: 'OAuth Bearer Token',
          description: 'A bearer token per source: from the config (tokenEnv) or from `idsync tokens create --source <id>`',
          specUri: 'https://datatracker.ietf.org/doc/html/rfc6750',
        },
      ],
    },
    `${base}/ServiceProviderConfig`,
  );
  return JSON.parse(JSON.stringify(config)) as JsonObject;
}

function resourceTypesOf(base: string): JsonObject[] {
  const types = [
    { id: 'User', name: 'User', endpoint: '/Users', description: 'User Account', schema: USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }] },
    { id: 'Group', name: 'Group', endpoint: '/Groups', description: 'Group', schema: GROUP_SCHEMA },
  ];
  return types.map((t) => JSON.parse(JSON.stringify(new SCIMMY.Schemas.ResourceType(t, `${base}/ResourceTypes`))) as JsonObject);
}

function schemasOf(base: string): JsonObject[] {
  return [UserDefinition, EnterpriseUserDefinition, GroupDefinition].map(
    (d) => JSON.parse(JSON.stringify(d.describe(`${base}/Schemas`))) as JsonObject,
  );
}

/** Every one of `resources`, as a single-page list. */
function listOf(resources: JsonObject[]): JsonObject {
  return listResponse(resources.length, 1, resources);
}

/** All resource types, or the one with `id` (case-insensitive), or undefined. */
export function resourceTypes(base: string, id?: string): JsonObject | undefined {
  const all = resourceTypesOf(base);
  if (id === undefined) return listOf(all);
  return all.find((r) => String(r['id']).toLowerCase() === id.toLowerCase());
}

export function schemas(base: string, id?: string): JsonObject | undefined {
  const all = schemasOf(base);
  if (id === undefined) return listOf(all);
  return all.find((s) => String(s['id']).toLowerCase() === id.toLowerCase());
}
