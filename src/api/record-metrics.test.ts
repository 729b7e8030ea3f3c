import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { recordReconciled, recordSweep, recordSyncRun } from './record-metrics.js';

const value = async (metrics: ReturnType<typeof createMetrics>, series: string) => {
  const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('recording what the workers report', () => {
  it('one change-to-grant observation per grant change, from the job observed time to its commit', async () => {
    const metrics = createMetrics([]);
    recordReconciled(metrics, { people: 3, granted: 2, changed: 1, suspended: 0 }, 3, { observedAt: 1_000, committedAt: 3_500 });
    // No grant changed: nothing to time. A job of an older idsync: no time to start from.
    recordReconciled(metrics, { people: 1, granted: 0, changed: 0, suspended: 0 }, 1, { observedAt: 1_000, committedAt: 90_000 });
    recordReconciled(metrics, { people: 1, granted: 1, changed: 0, suspended: 0 }, 1, { observedAt: undefined, committedAt: 90_000 });
    // Clocks of two machines: a commit "before" the observation is 0 s, not negative.
    recordReconciled(metrics, { people: 1, granted: 0, changed: 0, suspended: 1 }, 1, { observedAt: 5_000, committedAt: 4_000 });
    expect(await value(metrics, 'idsync_change_to_grant_seconds_count')).toBe(4);
    expect(await value(metrics, 'idsync_change_to_grant_seconds_sum')).toBe(7.5);
    expect(await value(metrics, 'idsync_change_to_grant_seconds_bucket{le="0.05"}')).toBe(1);
    expect(await value(metrics, 'idsync_change_to_grant_seconds_bucket{le="1"}')).toBe(1);
    expect(await value(metrics, 'idsync_change_to_grant_seconds_bucket{le="2.5"}')).toBe(4);
    expect(await value(metrics, 'idsync_grant_changes_total{kind="granted"}')).toBe(3);
    expect(await value(metrics, 'idsync_changes_reconciled_total{outcome="ok"}')).toBe(6);
  });

  it('sync runs by source, mode and status; entries of succeeded runs only; dry runs not at all', async () => {
    const metrics = createMetrics([], { pulledSources: ['corp'] });
    expect(await value(metrics, 'idsync_sync_runs_total{source="corp",mode="delta",status="failed"}')).toBe(0);
    const counts = { seen: 10, created: 2, updated: 3, deleted: 1, unchanged: 4, skipped: 0 };
    recordSyncRun(metrics, { sourceId: 'corp', mode: 'delta', status: 'succeeded', dryRun: false, durationMs: 1500, counts });
    recordSyncRun(metrics, { sourceId: 'corp', mode: 'full', status: 'blocked', dryRun: false, durationMs: 500, counts: { ...counts, deleted: 90 } });
    recordSyncRun(metrics, { sourceId: 'corp', mode: 'full', status: 'succeeded', dryRun: true, durationMs: 500, counts });
    expect(await value(metrics, 'idsync_sync_runs_total{source="corp",mode="delta",status="succeeded"}')).toBe(1);
    expect(await value(metrics, 'idsync_sync_runs_total{source="corp",mode="full",status="blocked"}')).toBe(1);
    expect(await value(metrics, 'idsync_sync_runs_total{source="corp",mode="full",status="succeeded"}')).toBe(0);
    expect(await value(metrics, 'idsync_sync_run_duration_seconds_sum{source="corp",mode="delta"}')).toBe(1.5);
    expect(await value(metrics, 'idsync_sync_entries_total{source="corp",change="deleted"}')).toBe(1);
    expect(await value(metrics, 'idsync_sync_entries_total{source="corp",change="created"}')).toBe(2);
  });

  it('lifecycle sweeps by kind of change', async () => {
    const metrics = createMetrics([]);
    recordSweep(metrics, { reminded: 4, expired: 2, removedAfterGrace: 1, removedInactive: 0, invitesExpired: 3, requestLogPruned: 0 });
    recordSweep(metrics, { reminded: 1, expired: 0, removedAfterGrace: 0, removedInactive: 0, invitesExpired: 0, requestLogPruned: 0 });
    expect(await value(metrics, 'idsync_lifecycle_changes_total{change="reminded"}')).toBe(5);
    expect(await value(metrics, 'idsync_lifecycle_changes_total{change="removed_after_grace"}')).toBe(1);
    expect(await value(metrics, 'idsync_lifecycle_changes_total{change="removed_inactive"}')).toBe(0);
    expect(await value(metrics, 'idsync_lifecycle_changes_total{change="invites_expired"}')).toBe(3);
  });

  it('a source health read that fails leaves its gauges out of the scrape and says so, the rest stays', async () => {
    const errors: string[] = [];
    const metrics = createMetrics([], {
      sourcesHealth: async () => {
        throw new Error('database unavailable');
      },
      onCollectError: (metric, error) => errors.push(`${metric}: ${(error as Error).message}`),
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE idsync_source_health gauge');
    expect(text).not.toMatch(/^idsync_source_health\{/m);
    expect(text).toContain('idsync_change_to_grant_seconds_count 0');
    expect(errors).toEqual(['idsync_source_health: database unavailable']);
  });
});
