import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of a webhook delivery. */
export const WEBHOOK_HEADERS = {
  /** Stable per event and endpoint, the same on every retry: receivers deduplicate on it. */
  delivery: 'x-idsync-delivery',
  event: 'x-idsync-event',
  /** Unix seconds when this attempt was signed. */
  timestamp: 'x-idsync-timestamp',
  /** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the endpoint's secret>`. */
  signature: 'x-idsync-signature',
} as const;

/** The signature header value for `body` sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does: recompute the signature over the raw body and compare in constant time,
 * refusing timestamps further than `toleranceSec` (default 300) from `nowSec`, against replays.
 */
export function verifyWebhookSignature(options: { secret: string; body: string; timestamp: string | undefined; signature: string | undefined; nowSec?: number; toleranceSec?: number }): boolean {
  const ts = Number(options.timestamp);
  if (!options.signature || !Number.isInteger(ts)) return false;
  const now = options.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (options.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(signWebhook(options.secret, ts, options.body));
  const given = Buffer.from(options.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
