import type { Config, SourceConfig } from '../config/schema.js';
import { durationMs } from '../domain/duration.js';
import { shortestScheduleMs } from '../domain/schedule-interval.js';
import { sourceHealth, type HealthExpectations, type SourceHealth } from '../domain/source-health.js';
import type { Queryable } from '../store/db.js';
import { sourceFacts } from '../store/runs/source-activity.js';
import { isPulled } from './connectors.js';

/** One configured source's health, with the figures the metrics show beside it. */
export interface SourceHealthReport {
  id: string;
  kind: SourceConfig['kind'];
  health: SourceHealth;
  /** When its latest successful run finished (pulled sources). */
  lastSuccessAt: Date | null;
  /** Failed runs in a row up to the latest one; 0 when the latest did not fail. */
  consecutiveFailures: number;
}

/** What the config expects of a source: runs on its schedule, or requests within `expectActivityWithin`. */
export function healthExpectations(source: SourceConfig, now: Date): HealthExpectations {
  if (isPulled(source)) return { scheduleMs: shortestScheduleMs(source.schedule, now) };
  if (source.kind === 'scim' && source.expectActivityWithin !== undefined) return { activityWithinMs: durationMs(source.expectActivityWithin) };
  return {};
}

/** The health of every configured source, in config order (one query for them all). */
export async function sourcesHealth(q: Queryable, config: Config, now: Date): Promise<SourceHealthReport[]> {
  const facts = await sourceFacts(q);
  return config.sources.map((source) => {
    const f = facts.get(source.id) ?? { registeredAt: now, lastSuccessAt: null, lastActivityAt: null, streak: null };
    return {
      id: source.id,
      kind: source.kind,
      health: sourceHealth(f, healthExpectations(source, now), now),
      lastSuccessAt: f.lastSuccessAt,
      consecutiveFailures: f.streak?.status === 'failed' ? f.streak.runs : 0,
    };
  });
}

/** The JSON shape of a health, as `GET /sources` and `GET /status` answer it. */
export function healthView(h: SourceHealth): { health: SourceHealth['state']; healthReason: string; healthSince: string | null } {
  return { health: h.state, healthReason: h.reason, healthSince: h.since?.toISOString() ?? null };
}
