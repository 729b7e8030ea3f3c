import { describe, expect, it } from 'vitest';
import type { ThrottleEvent } from '../../src/connector/connector.js';
import { backoffDelay } from './backoff.js';
import { carryCursor } from './carry-cursor.js';
import { withoutCredential } from './http-client.js';
import { withoutSecrets } from './without-secrets.js';
import { mapConcurrent } from './map-concurrent.js';
import { RateLimiter } from './rate-limiter.js';
import { parseRateLimitReset, parseRetryAfter } from './retry-after.js';

describe('Retry-After', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
  it('reads X-Rate-Limit-Reset against the server clock', () => {
    expect(parseRateLimitReset(String(now / 1000 + 10), 'Wed, 01 Jan 2025 00:00:02 GMT', now + 60_000)).toBe(8000);
    expect(parseRateLimitReset(String(now / 1000 + 10), null, now)).toBe(10_000);
  });
});

describe('backoff', () => {
  it('doubles, stays within [ceiling/2, ceiling] and is capped', () => {
    expect(backoffDelay(1, { baseMs: 100, maxMs: 10_000, random: () => 0 })).toBe(50);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 10_000, random: () => 1 })).toBe(400);
    expect(backoffDelay(20, { baseMs: 100, maxMs: 1000, random: () => 1 })).toBe(1000);
  });
});

describe('RateLimiter', () => {
  it('holds requests until the pause ends and reports the wait', async () => {
    const limiter = new RateLimiter();
    limiter.pauseUntil(Date.now() + 50, 'X-Rate-Limit-Remaining=0');
    const events: ThrottleEvent[] = [];
    const start = Date.now();
    await limiter.ready({ attempt: 1, onThrottle: (e) => events.push(e) });
    expect(Date.now() - start).toBeGreaterThanOrEqual(45);
    expect(events).toMatchObject([{ reason: 'X-Rate-Limit-Remaining=0', attempt: 1 }]);
  });
  it('reports a pause once, however many requests wait it out; a later pause is reported again', async () => {
    const limiter = new RateLimiter();
    const events: ThrottleEvent[] = [];
    const onThrottle = (e: ThrottleEvent) => events.push(e);
    limiter.pauseUntil(Date.now() + 40, '429 Retry-After');
    await Promise.all([1, 2, 3].map((attempt) => limiter.ready({ attempt, onThrottle })));
    expect(events).toMatchObject([{ reason: '429 Retry-After' }]);
    limiter.pauseUntil(Date.now() + 20, '503 Retry-After');
    await limiter.ready({ attempt: 1, onThrottle });
    expect(events.map((e) => e.reason)).toEqual(['429 Retry-After', '503 Retry-After']);
  });
  it('rejects a wait when aborted', async () => {
    const limiter = new RateLimiter();
    limiter.pauseUntil(Date.now() + 10_000, '429');
    await expect(limiter.ready({ attempt: 1, signal: AbortSignal.timeout(20) })).rejects.toThrow();
  });
});

describe('carryCursor', () => {
  it('puts the cursor on the last non-empty page', async () => {
    async function* pages() {
      yield { users: [{ externalId: 'a', userName: 'a', email: null, active: true }] };
      yield { users: [] };
    }
    const out = [];
    for await (const page of carryCursor(pages(), () => 'c1')) out.push(page);
    expect(out).toEqual([{ users: [{ externalId: 'a', userName: 'a', email: null, active: true }], cursor: 'c1' }]);
  });
});

describe('mapConcurrent', () => {
  it('keeps order and bounds concurrency', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapConcurrent([5, 1, 4, 2, 3], 2, async (n) => {
      peak = Math.max(peak, ++active);
      await new Promise((r) => setTimeout(r, n));
      active--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});

describe('withoutCredential', () => {
  it("blanks the credential an API quotes back in its error (Okta's answer to a proxy that echoed it)", () => {
    const error = { message: 'Invalid token provided: SSWS 00bB5DQOAGbmzBDnspRKqg8nAMWfw (token 00bB5DQOAGbmzBDnspRKqg8nAMWfw)', throttleReason: 'x' };
    expect(withoutCredential(error, 'SSWS 00bB5DQOAGbmzBDnspRKqg8nAMWfw')).toEqual({ message: 'Invalid token provided: [redacted] (token [redacted])', throttleReason: 'x' });
    expect(withoutCredential({ message: 'Bearer eyJhbGciOi.x.y expired' }, 'Bearer eyJhbGciOi.x.y').message).toBe('[redacted] expired');
    const plain = { message: 'Resource not found' };
    expect(withoutCredential(plain, 'Bearer abcdefgh12345678')).toBe(plain);
  });
});

describe('withoutSecrets', () => {
  it('blanks secrets as they are and form-encoded, and anything shaped like a JWT', () => {
    const secret = 'Ab+c/d=e f~0123456789';
    const text = `AADSTS7000215: Invalid client secret provided: ${secret}; body client_secret=${new URLSearchParams({ s: secret }).toString().slice(2)}&x=${encodeURIComponent(secret)}`;
    expect(withoutSecrets(text, [secret])).toBe('AADSTS7000215: Invalid client secret provided: [redacted]; body client_secret=[redacted]&x=[redacted]');
    expect(withoutSecrets('Invalid JWT Signature: eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl-_x', [])).toBe('Invalid JWT Signature: [redacted]');
    expect(withoutSecrets('invalid_grant: no such user', ['short', undefined])).toBe('invalid_grant: no such user');
    expect(withoutSecrets('bad signature c2lnbmF0dXJlLW9mLXRoZS1hc3NlcnRpb24', ['eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJlLW9mLXRoZS1hc3NlcnRpb24'])).toBe('bad signature [redacted]');
  });
});
