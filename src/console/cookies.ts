import type { Request, Response } from 'express';

/** The session cookie. `__Host-` (Secure, no Domain, Path=/) when served over HTTPS, so no other origin can set it. */
export const SESSION_COOKIE = 'idsync_console';
const SECURE_SESSION_COOKIE = '__Host-idsync_console';
/** Binds an OIDC sign-in in progress to the browser that started it (login CSRF). */
export const FLOW_COOKIE = 'idsync_console_flow';

export interface CookieContext {
  /** Whether the browser reached us over HTTPS: `req.secure`, or `X-Forwarded-Proto: https` from the trusted proxy. */
  secure: boolean;
}

/** Whether the page was reached over HTTPS (directly, or through the configured proxy). */
export function isSecureRequest(req: Request, trustProxy: boolean): boolean {
  if (req.secure) return true;
  if (!trustProxy) return false;
  const proto = req.headers['x-forwarded-proto'];
  const last = (Array.isArray(proto) ? proto.join(',') : (proto ?? '')).split(',').pop()?.trim().toLowerCase();
  return last === 'https';
}

export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookieName(ctx: CookieContext): string {
  return ctx.secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/** The session id the browser sent, under either cookie name. */
export function sessionIdOf(req: Request): string | undefined {
  return cookieValue(req, SECURE_SESSION_COOKIE) ?? cookieValue(req, SESSION_COOKIE);
}

/**
 * Sets a cookie the page's scripts cannot read (`HttpOnly`), sent on top-level navigation from other
 * sites but not on their subrequests or form posts (`SameSite=Lax`), `Secure` over HTTPS. No
 * `Max-Age`: the session's lifetime is kept on the server, and the cookie ends with the browser.
 */
export function setCookie(res: Response, ctx: CookieContext, name: string, value: string, options: { path: string; maxAgeSeconds?: number }): void {
  const parts = [`${name}=${value}`, `Path=${options.path}`, 'HttpOnly', 'SameSite=Lax'];
  if (ctx.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  res.append('set-cookie', parts.join('; '));
}

export function clearCookie(res: Response, ctx: CookieContext, name: string, path: string): void {
  setCookie(res, ctx, name, '', { path, maxAgeSeconds: 0 });
}
