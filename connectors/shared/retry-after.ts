/**
 * Milliseconds to wait from a `Retry-After` header: delta-seconds or an HTTP-date
 * ([RFC 9110 §10.2.3](https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3)).
 * `undefined` when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Milliseconds until an Okta-style `X-Rate-Limit-Reset` (epoch seconds). The server's `Date`
 * header is the clock to compare with (Okta's advice), falling back to ours.
 */
export function parseRateLimitReset(reset: string | null, serverDate: string | null, now: number): number | undefined {
  if (reset === null || !/^\d+$/.test(reset.trim())) return undefined;
  const dated = serverDate === null ? Number.NaN : Date.parse(serverDate);
  const serverNow = Number.isNaN(dated) ? now : dated;
  return Math.max(0, Number(reset) * 1000 - serverNow);
}
