import { describe, expect, it } from 'vitest';
import { googleThrottleBackoff } from './throttle-backoff.js';

describe('googleThrottleBackoff', () => {
  it('is 2^n seconds plus up to a second of jitter, n from 0', () => {
    const at = (attempt: number, random: number) => googleThrottleBackoff(attempt, { maxMs: 120_000, random: () => random });
    expect([1, 2, 3, 4].map((n) => at(n, 0))).toEqual([1000, 2000, 4000, 8000]);
    expect(at(1, 0.999)).toBe(1999);
  });
  it('is truncated at 64 s, or at the source maxWaitMs when lower', () => {
    expect(googleThrottleBackoff(7, { maxMs: 120_000, random: () => 0.5 })).toBe(64_000);
    expect(googleThrottleBackoff(12, { maxMs: 120_000, random: () => 0.5 })).toBe(64_000);
    expect(googleThrottleBackoff(4, { maxMs: 5000, random: () => 0.5 })).toBe(5000);
  });
});
