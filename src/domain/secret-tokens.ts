/**
 * The secrets idsync mints and checks (person tokens, invites, SCIM source tokens, console
 * sessions): minted here, stored only as their SHA-256 hash, compared in constant time. Admin
 * operations and the HTTP surfaces both use this one module.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Tokens are stored as SHA-256 hashes; the token itself is shown once. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Constant-time comparison of two secrets of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
