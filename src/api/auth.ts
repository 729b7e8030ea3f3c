import type { Request, RequestHandler, Response } from 'express';
import type { Principal } from '../domain/principal.js';
import { hashToken, safeEqual } from '../domain/secret-tokens.js';
import type { Db } from '../store/db.js';
import { livePersonToken, touchToken } from '../store/tokens/api-tokens.js';
import type { AuthFailureLimiter } from './auth-failure-limiter.js';
import { bearerToken } from './bearer-token.js';
import { ApiError } from './errors.js';

export function principalOf(req: Request): Principal {
  const p = (req as Request & { principal?: Principal }).principal;
  if (!p) throw new ApiError('unauthenticated', 'missing bearer token');
  return p;
}

export interface AdminAuthOptions {
  db: Db;
  adminToken: string | undefined;
  /** The clock a person token's expiry and last use are measured by. */
  now: () => Date;
  /** Counts failed attempts per client address; over the limit, a failure is a 429. */
  authFailures: AuthFailureLimiter;
}

/**
 * Accepts the system token (compared in constant time), or a live person token (stored hashed,
 * looked up by hash; revoked or expired ones are refused, with no cache: revocation is at once).
 */
export function adminAuth(options: AdminAuthOptions): RequestHandler {
  return async (req, res, next) => {
    try {
      const token = bearerToken(req.headers.authorization);
      if (token !== undefined && options.adminToken && safeEqual(token, options.adminToken)) {
        (req as Request & { principal?: Principal }).principal = { kind: 'system' };
        return next();
      }
      const now = options.now();
      const found = token === undefined ? undefined : await livePersonToken(options.db, hashToken(token), now);
      if (!found) return next(await refusal(req, res, options.authFailures, token === undefined));
      await touchToken(options.db, found, now);
      (req as Request & { principal?: Principal }).principal = { kind: 'person', personId: found.personId, email: found.email };
      next();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * The error for a request that did not authenticate. Credentials that were presented and failed
 * count towards the address's limit (a request without an `Authorization` header tried nothing).
 */
async function refusal(req: Request, res: Response, authFailures: AuthFailureLimiter, missing: boolean): Promise<ApiError> {
  const retryAfter = req.headers.authorization === undefined ? undefined : await authFailures.recordFailure(req);
  if (retryAfter !== undefined) {
    res.setHeader('retry-after', String(retryAfter));
    return new ApiError('too_many_attempts', `too many failed authentication attempts from this address: retry after ${retryAfter} s`);
  }
  return new ApiError('unauthenticated', missing ? 'missing bearer token (Authorization: Bearer …)' : 'invalid token');
}

/** Only the system token. */
export function requireSystem(req: Request): void {
  if (principalOf(req).kind !== 'system') throw new ApiError('forbidden', 'this action needs the system token (IDSYNC_ADMIN_TOKEN)');
}
