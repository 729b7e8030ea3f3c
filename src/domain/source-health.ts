/**
 * A source's health as an operator sees it (`GET /api/v1/sources`, `idsync status`, the
 * `idsync_source_health` metric): one state, the reason in words and when it began. Pure: the
 * facts come from the store, the expectations from the config.
 *
 * - `blocked` — the latest finished run stopped at the deletion threshold (`maxDeletes`);
 * - `failing` — the latest finished run failed (with its error);
 * - `stale` — a scheduled source has had no successful run within twice its schedule's interval, or
 *   a pushed (SCIM) source with `expectActivityWithin` has sent no request for longer than that;
 * - `ok` — none of these.
 * A source both failing and stale is `failing`: the error says more than the silence.
 */

export type HealthState = 'ok' | 'stale' | 'failing' | 'blocked';
export const HEALTH_STATES: readonly HealthState[] = ['ok', 'stale', 'failing', 'blocked'];

export interface SourceHealth {
  state: HealthState;
  /** Why, in words, for the person on call. */
  reason: string;
  /** When the state began; null for `ok` (nothing to date). */
  since: Date | null;
}

/** What the store knows of a source's runs and requests (dry runs left out). */
export interface SourceFacts {
  /** When the source was first configured. */
  registeredAt: Date;
  /** When its latest successful run finished. */
  lastSuccessAt: Date | null;
  /**
   * The latest finished runs that ended alike: their outcome, how many in a row, when the first of
   * them finished, and the latest one's error. Null when no run has finished.
   */
  streak: { status: 'succeeded' | 'failed' | 'blocked'; runs: number; since: Date; error: string | null } | null;
  /** A pushed source's latest request (recorded at most once a minute). */
  lastActivityAt: Date | null;
}

export interface HealthExpectations {
  /** A scheduled source's shortest interval between runs: stale after twice it without a success. */
  scheduleMs?: number | undefined;
  /** A pushed source's `expectActivityWithin`: stale when silent longer than this. */
  activityWithinMs?: number | undefined;
}

export function sourceHealth(facts: SourceFacts, expect: HealthExpectations, now: Date): SourceHealth {
  const streak = facts.streak;
  if (streak && streak.status !== 'succeeded') {
    const runs = streak.runs === 1 ? 'the last run' : `the last ${streak.runs} runs`;
    const error = streak.error ?? 'no error was recorded';
    if (streak.status === 'blocked') return { state: 'blocked', reason: `${runs} ${streak.runs === 1 ? 'was' : 'were'} blocked: ${error}`, since: streak.since };
    return { state: 'failing', reason: `${runs} failed: ${error}`, since: streak.since };
  }
  if (expect.scheduleMs !== undefined) {
    const from = facts.lastSuccessAt ?? facts.registeredAt;
    const staleAt = from.getTime() + 2 * expect.scheduleMs;
    if (now.getTime() >= staleAt) {
      const last = facts.lastSuccessAt ? `since ${facts.lastSuccessAt.toISOString()}` : `since the source was added (${facts.registeredAt.toISOString()})`;
      return {
        state: 'stale',
        reason: `no successful run ${last}; its schedule runs every ${formatMs(expect.scheduleMs)}, so one was expected within ${formatMs(2 * expect.scheduleMs)}`,
        since: new Date(staleAt),
      };
    }
  }
  if (expect.activityWithinMs !== undefined) {
    const from = facts.lastActivityAt ?? facts.registeredAt;
    const staleAt = from.getTime() + expect.activityWithinMs;
    if (now.getTime() >= staleAt) {
      const last = facts.lastActivityAt ? `since ${facts.lastActivityAt.toISOString()}` : `since the source was added (${facts.registeredAt.toISOString()})`;
      return { state: 'stale', reason: `no request ${last}; expectActivityWithin is ${formatMs(expect.activityWithinMs)}`, since: new Date(staleAt) };
    }
  }
  const seen = [
    facts.lastSuccessAt ? `last successful run at ${facts.lastSuccessAt.toISOString()}` : undefined,
    facts.lastActivityAt ? `last request at ${facts.lastActivityAt.toISOString()}` : undefined,
  ].filter((s) => s !== undefined);
  return { state: 'ok', reason: seen.length > 0 ? seen.join('; ') : 'nothing is expected of it yet', since: null };
}

/** `90 s`, `10 min`, `36 h`, `14 days`: the unit a person would say. */
function formatMs(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  const h = Math.round(min / 60);
  if (h < 72) return `${h} h`;
  return `${Math.round(h / 24)} days`;
}
