import { describe, expect, it } from 'vitest';
import { scheduleIntervalMs, shortestScheduleMs } from './schedule-interval.js';
import { sourceHealth, type SourceFacts } from './source-health.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const now = new Date('2026-03-10T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const facts = (over: Partial<SourceFacts> = {}): SourceFacts => ({ registeredAt: ago(30 * 24 * HOUR), lastSuccessAt: null, streak: null, lastActivityAt: null, ...over });

describe('scheduleIntervalMs', () => {
  it('reads intervals and cron expressions, the gap that just happened for a cron', () => {
    expect(scheduleIntervalMs('5m', now)).toBe(5 * MIN);
    expect(scheduleIntervalMs('0 3 * * *', now)).toBe(24 * HOUR);
    expect(scheduleIntervalMs('0 2 * * 0', now)).toBe(7 * 24 * HOUR);
    expect(scheduleIntervalMs('*/15 * * * *', now)).toBe(15 * MIN);
    expect(scheduleIntervalMs('not a schedule', now)).toBeUndefined();
  });

  it('takes the shortest of a source schedules', () => {
    expect(shortestScheduleMs({ delta: '5m', full: '0 3 * * *' }, now)).toBe(5 * MIN);
    expect(shortestScheduleMs({ full: '0 3 * * *' }, now)).toBe(24 * HOUR);
    expect(shortestScheduleMs(undefined, now)).toBeUndefined();
  });
});

describe('sourceHealth', () => {
  it('a scheduled source that succeeded within twice its interval is ok', () => {
    const h = sourceHealth(facts({ lastSuccessAt: ago(9 * MIN), streak: { status: 'succeeded', runs: 4, since: ago(HOUR), error: null } }), { scheduleMs: 5 * MIN }, now);
    expect(h).toEqual({ state: 'ok', reason: `last successful run at ${ago(9 * MIN).toISOString()}`, since: null });
  });

  it('is stale from twice the interval after its last success, saying so', () => {
    const h = sourceHealth(facts({ lastSuccessAt: ago(11 * MIN), streak: { status: 'succeeded', runs: 1, since: ago(11 * MIN), error: null } }), { scheduleMs: 5 * MIN }, now);
    expect(h.state).toBe('stale');
    expect(h.since).toEqual(ago(MIN));
    expect(h.reason).toBe(`no successful run since ${ago(11 * MIN).toISOString()}; its schedule runs every 5 min, so one was expected within 10 min`);
  });

  it('a scheduled source that never ran is stale from its registration on', () => {
    const h = sourceHealth(facts({ registeredAt: ago(3 * 24 * HOUR) }), { scheduleMs: 24 * HOUR }, now);
    expect(h).toMatchObject({ state: 'stale', since: ago(24 * HOUR) });
    expect(h.reason).toContain('since the source was added');
    expect(sourceHealth(facts({ registeredAt: ago(HOUR) }), { scheduleMs: 24 * HOUR }, now).state).toBe('ok');
  });

  it('is failing when its latest runs failed, since the first of them, with the last error', () => {
    const streak = { status: 'failed' as const, runs: 2, since: ago(10 * MIN), error: 'source "corp-ldap": connect ECONNREFUSED 127.0.0.1:389' };
    const h = sourceHealth(facts({ lastSuccessAt: ago(HOUR), streak }), { scheduleMs: 5 * MIN }, now);
    expect(h).toEqual({ state: 'failing', reason: 'the last 2 runs failed: source "corp-ldap": connect ECONNREFUSED 127.0.0.1:389', since: ago(10 * MIN) });
    expect(sourceHealth(facts({ streak: { ...streak, runs: 1 } }), {}, now).reason).toMatch(/^the last run failed: /);
  });

  it('is blocked when its latest run stopped at the deletion threshold', () => {
    const h = sourceHealth(facts({ streak: { status: 'blocked', runs: 1, since: ago(MIN), error: 'the run would delete 80 of 100 users' } }), { scheduleMs: 5 * MIN }, now);
    expect(h).toEqual({ state: 'blocked', reason: 'the last run was blocked: the run would delete 80 of 100 users', since: ago(MIN) });
  });

  it('a SCIM source is stale when silent longer than expectActivityWithin, and only if it has one', () => {
    const within = { activityWithinMs: 2 * HOUR };
    expect(sourceHealth(facts({ lastActivityAt: ago(HOUR) }), within, now)).toEqual({ state: 'ok', reason: `last request at ${ago(HOUR).toISOString()}`, since: null });
    const stale = sourceHealth(facts({ lastActivityAt: ago(3 * HOUR) }), within, now);
    expect(stale).toEqual({ state: 'stale', reason: `no request since ${ago(3 * HOUR).toISOString()}; expectActivityWithin is 2 h`, since: ago(HOUR) });
    expect(sourceHealth(facts({ lastActivityAt: ago(300 * 24 * HOUR) }), {}, now).state).toBe('ok');
  });
});
