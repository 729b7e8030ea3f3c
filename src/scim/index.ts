/**
 * The SCIM 2.0 server (design §5: `/scim/v2/{Users,Groups,ServiceProviderConfig,ResourceTypes,Schemas,Bulk}`).
 * The composition root mounts `createScimServer(…)` at `/scim/v2`.
 */
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { AuthFailureLimiter } from '../api/auth-failure-limiter.js';
import type { Env } from '../config/env.js';
import type { Config } from '../config/schema.js';
import type { Ingest } from '../ingest/ingest.js';
import type { Db } from '../store/db.js';
import { createScimRouter } from './http/scim-router.js';
import { SourceTokens, type ConfiguredToken, type RevocationWatch } from './http/source-tokens.js';

export interface ScimServerOptions {
  db: Db;
  ingest: Ingest;
  /** The sources' tokens (`scimTokens`); the composition root keeps it to tell it of revocations. */
  tokens: SourceTokens;
  /** Failed bearer attempts per client address (shared with the admin API): over the limit → 429. */
  authFailures: AuthFailureLimiter;
  logger: Logger;
  /** Largest request body in bytes. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** Operations one Bulk request may carry. Default 1000. */
  bulkMaxOperations?: number;
}

/** The bearer tokens the config names, one per SCIM source with a `tokenEnv` whose variable is set. */
export function configuredScimTokens(config: Config, env: Env): ConfiguredToken[] {
  const tokens: ConfiguredToken[] = [];
  for (const source of config.sources) {
    if (source.kind !== 'scim' || source.tokenEnv === undefined) continue;
    const token = env[source.tokenEnv];
    if (token) tokens.push({ sourceId: source.id, token });
  }
  return tokens;
}

/** The SCIM tokens: the config's (`tokenEnv`) and the live ones in the store. */
export function scimTokens(options: { db: Db; config: Config; env: Env; now?: () => Date; revocations?: RevocationWatch }): SourceTokens {
  return new SourceTokens({ db: options.db, configured: configuredScimTokens(options.config, options.env), now: options.now, revocations: options.revocations });
}

export function createScimServer(options: ScimServerOptions): Router {
  return createScimRouter(options);
}

export { createScimRouter, type ScimRouterOptions } from './http/scim-router.js';
export { SourceTokens, type ConfiguredToken } from './http/source-tokens.js';
export { recordScimRequests } from './http/record-requests.js';
export { RequestLogWriter } from './http/request-log-writer.js';
