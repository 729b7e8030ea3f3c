/** Refresh a cached access token this long before the issuer says it expires, so no request carries a token that lapses in flight. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * When to stop using an access token issued at `now` (ms) that the issuer says lasts
 * `expiresInS` seconds (an hour when it does not say): one minute early.
 */
export function cachedTokenExpiry(now: number, expiresInS: number | undefined): number {
  return now + Math.max(0, (expiresInS ?? 3600) * 1000 - EXPIRY_MARGIN_MS);
}
