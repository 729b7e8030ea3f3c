import type { RequestHandler } from 'express';
import type { AuthFailureLimiter } from '../../api/auth-failure-limiter.js';
import { bearerToken } from '../../api/bearer-token.js';
import type { ScimContext } from '../request-context.js';
import { ScimError } from '../scim-error.js';
import type { SourceTokens } from './source-tokens.js';

/**
 * Every SCIM request names its source by its bearer token; the source and the base URL become the
 * request's `ScimContext`. Failed presented credentials count towards the client address's limit (429 over it).
 */
export function authenticateSource(tokens: SourceTokens, authFailures: AuthFailureLimiter | undefined): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    const sourceId = token === undefined ? undefined : await tokens.sourceOf(token);
    if (sourceId === undefined) {
      // Presented credentials that failed count towards the address's limit; a request without any tried nothing.
      const retryAfter = req.headers.authorization === undefined ? undefined : await authFailures?.recordFailure(req);
      if (retryAfter !== undefined) {
        res.setHeader('retry-after', String(retryAfter));
        throw new ScimError(429, undefined, `Too many failed authentication attempts from this address: retry after ${retryAfter} seconds`);
      }
      res.setHeader('www-authenticate', 'Bearer realm="idsync SCIM"');
      throw new ScimError(401, undefined, token === undefined ? 'A bearer token is required (Authorization: Bearer …)' : 'The bearer token is not valid');
    }
    const context: ScimContext = { sourceId, base: `${req.protocol}://${req.headers.host ?? 'localhost'}${req.baseUrl}` };
    res.locals['scim'] = context;
    next();
  };
}
