import path from 'node:path';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AuthFailureLimiter } from '../api/auth-failure-limiter.js';
import { apiErrorHandler, ApiError, notFound } from '../api/errors.js';
import { hashToken, safeEqual } from '../domain/secret-tokens.js';
import type { Db } from '../store/db.js';
import { personByEmail } from '../store/people/people.js';
import { livePersonToken } from '../store/tokens/api-tokens.js';
import { workspaceAbilities } from './abilities.js';
import type { ConsoleConfig } from './config.js';
import { clearCookie, cookieValue, FLOW_COOKIE, isSecureRequest, SESSION_COOKIE, sessionCookieName, sessionIdOf, setCookie, type CookieContext } from './cookies.js';
import { OidcSignIn } from './oidc-sign-in.js';
import { packageRoot } from './package-root.js';
import { refusalPage } from './refusal-page.js';
import { checkCsrf, requireSession, type SessionAuthOptions } from './session-auth.js';
import type { SessionIdentity, SessionStore } from './session-store.js';

/**
 * Nothing but idsync's own files: no inline script or style, no other origin, no framing. The page
 * talks only to its own origin (`/api/v1`, `/console/api`).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const tokenSignInBody = z.object({ token: z.string().min(1).max(500) }).strict();

export interface ConsoleRouterOptions {
  config: ConsoleConfig;
  db: Db;
  sessions: SessionStore;
  logger: Logger;
  now: () => Date;
  /** The system token (`IDSYNC_ADMIN_TOKEN`): quick-start sign-in as the system. */
  adminToken: string | undefined;
  /** `console.oidc.clientSecretEnv`'s value. */
  clientSecret: string | undefined;
  /** Default redirect URL: the daemon's own URL (`IDSYNC_URL`) + `/console/callback`. */
  daemonUrl: string;
  /** `http.trustProxy`: `X-Forwarded-Proto: https` from the proxy makes cookies `Secure`. */
  trustProxy: boolean;
  /** Failed token sign-ins count towards the address's limit, as failed bearer tokens do. */
  authFailures: AuthFailureLimiter;
}

/** What the console's route groups share: its options, session checks, the OIDC flow (when configured) and cookie settings. */
interface ConsoleParts {
  options: ConsoleRouterOptions;
  auth: SessionAuthOptions;
  oidc: OidcSignIn | undefined;
  cookies: (req: Request) => CookieContext;
  /** Starts a new session for `identity` and sets its cookie. */
  openSession: (req: Request, res: Response, identity: SessionIdentity) => Promise<void>;
}

/** The console at `/console/`: its page, its sign-in (OIDC or token), sign-out and its few own endpoints. */
export function consoleRouter(options: ConsoleRouterOptions): Router {
  const router = Router();
  const parts = consoleParts(options);
  router.use(securityHeaders);
  addSessionRoutes(router, parts);
  addTokenSignIn(router, parts);
  addOidcSignIn(router, parts);
  addFiles(router);
  router.use('/api', (req, _res, next) => next(new ApiError('not_found', `no such endpoint: ${req.method} ${req.path}`)));
  router.use((_req, res) => {
    res.status(404).type('html').send(refusalPage('Page not found', 'There is no such page in the console.'));
  });
  router.use(apiErrorHandler(options.logger));
  return router;
}

function consoleParts(options: ConsoleRouterOptions): ConsoleParts {
  const oidc = options.config.oidc
    ? new OidcSignIn({
        config: options.config.oidc,
        redirectUrl: options.config.oidc.redirectUrl ?? `${options.daemonUrl.replace(/\/+$/, '')}/console/callback`,
        clientSecret: options.clientSecret,
        sessions: options.sessions,
      })
    : undefined;
  const cookies = (req: Request): CookieContext => ({ secure: isSecureRequest(req, options.trustProxy) });
  const openSession = async (req: Request, res: Response, identity: SessionIdentity): Promise<void> => {
    // A sign-in always starts a new session (its id and CSRF token), never continues an old one.
    const old = sessionIdOf(req);
    if (old !== undefined) await options.sessions.destroy(old);
    const { id } = await options.sessions.create(identity);
    setCookie(res, cookies(req), sessionCookieName(cookies(req)), id, { path: '/' });
  };
  return { options, auth: { sessions: options.sessions, db: options.db, now: options.now }, oidc, cookies, openSession };
}

/** Who is signed in, sign-out, and what the signed-in principal may do in a workspace. */
function addSessionRoutes(router: Router, { options, auth, oidc, cookies }: ConsoleParts): void {
  router.get('/api/session', async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    const id = sessionIdOf(req);
    const session = id === undefined ? undefined : await options.sessions.use(id);
    const principal = session ? await requireSession(req, auth).then((s) => s.principal, () => undefined) : undefined;
    if (!session || !principal) {
      res.json({ signedIn: false, signIn: oidc ? 'oidc' : 'token' });
      return;
    }
    res.json({ signedIn: true, signIn: oidc ? 'oidc' : 'token', identity: { kind: session.identity.kind, email: session.identity.email, via: session.identity.via }, operator: principal.kind === 'system', csrfToken: session.csrfToken });
  });

  router.post('/logout', async (req, res) => {
    const { id, session } = await requireSession(req, auth);
    checkCsrf(req, session);
    await options.sessions.destroy(id);
    clearCookie(res, cookies(req), sessionCookieName(cookies(req)), '/');
    if (!cookies(req).secure) clearCookie(res, cookies(req), SESSION_COOKIE, '/');
    res.status(204).end();
  });

  router.get('/api/workspaces/:ws/abilities', async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    const { principal } = await requireSession(req, auth);
    const ws = req.params['ws'] as string;
    res.json({ abilities: await workspaceAbilities(options.db, principal, ws) });
  });
}

/** Sign-in with the system token or a person's API token, when no identity provider is configured. */
function addTokenSignIn(router: Router, { options, oidc, openSession }: ConsoleParts): void {
  router.post('/api/token-sign-in', express.json({ limit: '4kb' }), async (req, res) => {
    if (oidc) throw new ApiError('not_found', 'this console signs in through the identity provider: /console/login');
    // A form on another site must not sign this browser in as someone else (login CSRF).
    assertSameOrigin(req);
    const parsed = tokenSignInBody.safeParse(req.body);
    if (!parsed.success) throw new ApiError('invalid_request', 'send {"token": "…"}');
    const identity = await tokenIdentity(options, parsed.data.token.trim());
    if (!identity) {
      const retryAfter = await options.authFailures.recordFailure(req);
      if (retryAfter !== undefined) {
        res.setHeader('retry-after', String(retryAfter));
        throw new ApiError('too_many_attempts', `too many failed sign-ins from this address: retry after ${retryAfter} s`);
      }
      throw new ApiError('invalid_token', 'this token is not valid: it may be mistyped, revoked or expired');
    }
    await openSession(req, res, identity);
    res.json({ signedIn: true });
  });
}

/** The system, when `token` is the admin token; the person whose live API token it is; else nobody. */
async function tokenIdentity(options: ConsoleRouterOptions, token: string): Promise<SessionIdentity | undefined> {
  if (options.adminToken && safeEqual(token, options.adminToken)) return { kind: 'system', email: null, via: 'token' };
  const hash = hashToken(token);
  const found = await livePersonToken(options.db, hash, options.now());
  return found ? { kind: 'person', personId: found.personId, email: found.email.toLowerCase(), via: 'token', tokenHash: hash } : undefined;
}

/** `/login` starts the OpenID Connect flow, `/callback` finishes it: operators sign in as the system, others as the person with their e-mail. */
function addOidcSignIn(router: Router, { options, oidc, cookies, openSession }: ConsoleParts): void {
  const operators = new Set(options.config.operators.map((e) => e.toLowerCase()));
  router.get('/login', async (req, res) => {
    if (!oidc) {
      res.redirect(303, '/console/');
      return;
    }
    const { url, flowId } = await oidc.start();
    setCookie(res, cookies(req), FLOW_COOKIE, flowId, { path: '/console/callback', maxAgeSeconds: 600 });
    res.redirect(302, url.href);
  });

  router.get('/callback', async (req, res) => {
    if (!oidc) throw notFound('OpenID Connect sign-in (console.oidc is not configured)');
    clearCookie(res, cookies(req), FLOW_COOKIE, '/console/callback');
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    const outcome = await oidc.finish(cookieValue(req, FLOW_COOKIE), query);
    if (!outcome.ok) {
      if (outcome.cause !== undefined) options.logger.warn({ err: outcome.cause }, 'console sign-in failed');
      res.status(outcome.status).type('html').send(refusalPage(outcome.title, outcome.reason));
      return;
    }
    let identity: SessionIdentity;
    if (operators.has(outcome.email)) identity = { kind: 'system', email: outcome.email, via: 'oidc' };
    else {
      const person = await personByEmail(options.db, outcome.email);
      if (!person) {
        res.status(403).type('html').send(refusalPage('Sign-in refused: unknown to idsync', `You signed in as ${outcome.email}, and idsync knows no person with that address. Ask an admin of your workspace to add you.`));
        return;
      }
      identity = { kind: 'person', personId: person.id, email: person.email, via: 'oidc' };
    }
    await openSession(req, res, identity);
    options.logger.info({ via: 'oidc', operator: identity.kind === 'system' }, 'console sign-in');
    res.redirect(303, '/console/');
  });
}

/** The page's static files and the users import template. */
function addFiles(router: Router): void {
  const root = packageRoot();
  router.get('/users-import-template.csv', (_req, res) => {
    res.type('text/csv; charset=utf-8').setHeader('content-disposition', 'attachment; filename="users-import-template.csv"');
    res.sendFile(path.join(root, 'config', 'users-import-template.csv'));
  });
  router.use(express.static(path.join(root, 'src', 'console', 'static'), { index: 'index.html', redirect: true, fallthrough: true, setHeaders: (res) => res.setHeader('cache-control', 'no-cache') }));
}

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'same-origin');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  next();
};

/** Refuses a request whose `Origin` (sent by browsers on every POST) is another site's. */
function assertSameOrigin(req: Request): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = '';
  }
  if (host !== req.headers.host) throw new ApiError('cross_origin', 'sign-in is accepted only from the console page itself');
}
