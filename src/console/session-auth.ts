import type { Request, RequestHandler } from 'express';
import type { Principal } from '../domain/principal.js';
import { ApiError } from '../api/errors.js';
import { SAFE_METHODS } from '../api/safe-methods.js';
import { safeEqual } from '../domain/secret-tokens.js';
import type { Db } from '../store/db.js';
import { livePersonToken } from '../store/tokens/api-tokens.js';
import { sessionIdOf } from './cookies.js';
import type { ConsoleSession, SessionStore } from './session-store.js';

/** The header the console's page sends its session's CSRF token in. */
const CSRF_HEADER = 'x-csrf-token';

export interface SessionAuthOptions {
  sessions: SessionStore;
  db: Db;
  now: () => Date;
}

/**
 * The principal a live console session acts as, or undefined when the session no longer may act:
 * a session opened with a person token ends when that token is revoked or expires.
 */
async function principalOfSession(session: ConsoleSession, options: SessionAuthOptions): Promise<Principal | undefined> {
  const identity = session.identity;
  if (identity.kind === 'system') return { kind: 'system' };
  if (identity.tokenHash !== undefined && !(await livePersonToken(options.db, identity.tokenHash, options.now()))) return undefined;
  return { kind: 'person', personId: identity.personId, email: identity.email };
}

/** Refuses a state-changing request whose `X-CSRF-Token` is not the session's (403 `csrf_token_invalid`). */
export function checkCsrf(req: Request, session: ConsoleSession): void {
  if (SAFE_METHODS.has(req.method)) return;
  const sent = req.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)) {
    throw new ApiError('csrf_token_invalid', 'this request did not carry the console session\'s CSRF token (X-CSRF-Token): it was not sent by the console page');
  }
}

/** The live session of a request and the principal it acts as; a 401 when it has ended. */
export async function requireSession(req: Request, options: SessionAuthOptions): Promise<{ id: string; session: ConsoleSession; principal: Principal }> {
  const id = sessionIdOf(req);
  const session = id === undefined ? undefined : await options.sessions.use(id);
  const principal = session && (await principalOfSession(session, options));
  if (id === undefined || !session || !principal) throw new ApiError('session_ended', 'your console session has ended: sign in again');
  return { id, session, principal };
}

/**
 * For `/api/v1`, before the bearer-token check: a request without an `Authorization` header but with
 * a console session cookie acts as the session's principal — exactly as that person's token (or the
 * system token) would — once its CSRF token is checked. Anything else goes on to the bearer check.
 */
export function consoleSessionAuth(options: SessionAuthOptions): RequestHandler {
  return async (req, _res, next) => {
    try {
      if (req.headers.authorization !== undefined || sessionIdOf(req) === undefined) return next();
      const { session, principal } = await requireSession(req, options);
      checkCsrf(req, session);
      (req as Request & { principal?: Principal }).principal = principal;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** Whether an earlier handler (the console session) has already authenticated the request. */
export function isAuthenticated(req: Request): boolean {
  return (req as Request & { principal?: Principal }).principal !== undefined;
}
