/**
 * What the workers tell the composition root, turned into metrics (`metrics.ts`). Each function
 * takes plain results, so the workers know nothing of prom-client.
 */
import type { SweepResult } from '../lifecycle/run-sweeps.js';
import type { ReconcileResult } from '../reconcile/reconcile-people.js';
import type { FinishedRun } from '../sync/sync-service.js';
import type { LifecycleChange, Metrics } from './metrics.js';

/**
 * A reconcile job committed. Each grant change it wrote is one observation of the change-to-grant
 * time, measured from when its job's oldest change was written to observed state. Clocks of two
 * machines may disagree a little: a negative time counts as 0.
 */
export function recordReconciled(metrics: Metrics, result: ReconcileResult, changes: number, timing: { observedAt: number | undefined; committedAt: number }): void {
  metrics.changesReconciled.inc({ outcome: 'ok' }, changes);
  metrics.grantChanges.inc({ kind: 'granted' }, result.granted);
  metrics.grantChanges.inc({ kind: 'role_changed' }, result.changed);
  metrics.grantChanges.inc({ kind: 'suspended' }, result.suspended);
  if (timing.observedAt === undefined) return;
  const seconds = Math.max(0, timing.committedAt - timing.observedAt) / 1000;
  const grantChanges = result.granted + result.changed + result.suspended;
  for (let i = 0; i < grantChanges; i++) metrics.changeToGrant.observe(seconds);
}

/**
 * A sync run finished. Dry runs change nothing and are not counted; entries are counted for
 * succeeded runs only (a blocked run applied nothing, a failed one an unknown part of its counts).
 */
export function recordSyncRun(metrics: Metrics, run: FinishedRun): void {
  if (run.dryRun) return;
  metrics.syncRuns.inc({ source: run.sourceId, mode: run.mode, status: run.status });
  metrics.syncRunDuration.observe({ source: run.sourceId, mode: run.mode }, run.durationMs / 1000);
  if (run.status !== 'succeeded') return;
  for (const change of ['created', 'updated', 'deleted', 'skipped'] as const) {
    if (run.counts[change] > 0) metrics.syncEntries.inc({ source: run.sourceId, change }, run.counts[change]);
  }
}

const SWEEP_CHANGES: ReadonlyArray<[keyof SweepResult, LifecycleChange]> = [
  ['reminded', 'reminded'],
  ['expired', 'expired'],
  ['removedAfterGrace', 'removed_after_grace'],
  ['removedInactive', 'removed_inactive'],
  ['invitesExpired', 'invites_expired'],
];

/** A lifecycle sweep ran. */
export function recordSweep(metrics: Metrics, result: SweepResult): void {
  for (const [field, change] of SWEEP_CHANGES) if (result[field] > 0) metrics.lifecycleChanges.inc({ change }, result[field]);
}
