/**
 * The SCIM 2.0 server as an express router, mounted at `/scim/v2`.
 *
 * Why not scimmy-routers: it keeps its configuration and each resource's base path in scimmy's
 * process-wide singletons (re-set on every request), answers a failed authentication with the
 * handler's own message, and serves every read and PATCH through scimmy's Resource handlers —
 * read-modify-write of whole resources, filtering in memory. The targets here (a filtered GET at
 * database speed, a one-member PATCH on a 50,000-member group) need reads that run one SQL query
 * and member changes that never load the member list. So the routes are ours; scimmy supplies the
 * schemas (validation and coercion of every POST/PUT body, `/Schemas`), the discovery documents
 * (its ServiceProviderConfig and ResourceType schemas) and PATCH semantics for users.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { AuthFailureLimiter } from '../../api/auth-failure-limiter.js';
import type { Ingest } from '../../ingest/ingest.js';
import type { Db } from '../../store/db.js';
import { runBulk } from '../bulk.js';
import type { ServiceLimits } from '../discovery.js';
import { GroupService } from '../groups/group-service.js';
import { ScimError, toScimErrorBody } from '../scim-error.js';
import { UserService } from '../users/user-service.js';
import { authenticateSource } from './authenticate-source.js';
import { addDiscoveryRoutes } from './discovery-routes.js';
import { addGroupRoutes } from './group-routes.js';
import { jsonBody } from './json-body.js';
import { logHiddenCause } from './log-hidden-cause.js';
import { noteBulkResponse, noteScimError } from './record-requests.js';
import { scimErrorOf } from './scim-error-of.js';
import { ctxOf, send } from './scim-response.js';
import type { SourceTokens } from './source-tokens.js';
import { addUserRoutes } from './user-routes.js';

export interface ScimRouterOptions {
  db: Db;
  ingest: Ingest;
  tokens: SourceTokens;
  /** Failed bearer attempts per client address: over the limit → 429. Absent: not limited (unit tests). */
  authFailures?: AuthFailureLimiter | undefined;
  logger: Logger;
  /** Largest request body in bytes, Bulk included (advertised as `bulk.maxPayloadSize`). Default 1 MiB. */
  maxPayloadBytes?: number;
  /** Operations one Bulk request may carry. Default 1000. */
  bulkMaxOperations?: number;
}

export function createScimRouter(options: ScimRouterOptions): Router {
  const limits: ServiceLimits = { maxPayloadBytes: options.maxPayloadBytes ?? 1024 * 1024, bulkMaxOperations: options.bulkMaxOperations ?? 1000 };
  const users = new UserService(options);
  const groups = new GroupService(options);
  const json = jsonBody({ limitBytes: limits.maxPayloadBytes });
  const router = express.Router({ caseSensitive: false });

  router.use(authenticateSource(options.tokens, options.authFailures));
  addDiscoveryRoutes(router, limits);
  addUserRoutes(router, users, json);
  addGroupRoutes(router, groups, json);
  router.post('/Bulk', ...json, async (req, res) => {
    const response = await runBulk(ctxOf(res), req.body, { users, groups, maxOperations: limits.bulkMaxOperations, logger: options.logger });
    noteBulkResponse(res, response);
    send(res, 200, response);
  });
  router.use((req) => {
    throw new ScimError(404, undefined, `No SCIM endpoint ${req.method} ${req.path.slice(0, 200)}`);
  });
  router.use(scimErrorHandler(options.logger));
  return router;
}

/** Every failure becomes an RFC 7644 error response; a cause the client is not shown is logged. */
function scimErrorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const scimError = scimErrorOf(error);
    logHiddenCause(logger, scimError, { method: req.method, path: req.path.slice(0, 200) }, 'SCIM request failed');
    if (res.headersSent) return;
    noteScimError(res, scimError);
    send(res, scimError.status, toScimErrorBody(scimError));
  };
}
