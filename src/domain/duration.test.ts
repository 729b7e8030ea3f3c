import { describe, expect, it } from 'vitest';
import { parseDuration, parseInterval } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['P90D', 90 * 86_400_000],
    ['PT12H', 12 * 3_600_000],
    ['P1W', 7 * 86_400_000],
    ['P1DT30M', 86_400_000 + 30 * 60_000],
    ['PT0.5S', 500],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['90d', 'P', 'PT', 'P1H', '', 'P-1D'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('parseInterval', () => {
  it('reads intervals and leaves cron expressions alone', () => {
    expect(parseInterval('5m')).toBe(300_000);
    expect(parseInterval('250ms')).toBe(250);
    expect(parseInterval('0 3 * * *')).toBeUndefined();
  });
});
