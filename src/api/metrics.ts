import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HEALTH_STATES } from '../domain/source-health.js';
import type { SourceHealthReport } from '../sync/sources-health.js';

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children'] as const;

/** The kinds of change a lifecycle sweep makes (`SweepResult`), as `idsync_lifecycle_changes_total{change}`. */
const LIFECYCLE_CHANGES = ['reminded', 'expired', 'removed_after_grace', 'removed_inactive', 'invites_expired'] as const;
export type LifecycleChange = (typeof LIFECYCLE_CHANGES)[number];

/** How a webhook delivery attempt ended: `retrying` will be tried again, `failed` will not. */
export type WebhookOutcome = 'delivered' | 'retrying' | 'failed';

export interface Metrics {
  registry: Registry;
  changesReconciled: Counter<'outcome'>;
  grantChanges: Counter<'kind'>;
  /** The service-level indicator: from a change written to observed state to its grant change committed. */
  changeToGrant: Histogram;
  syncRuns: Counter<'source' | 'mode' | 'status'>;
  syncRunDuration: Histogram<'source' | 'mode'>;
  syncEntries: Counter<'source' | 'change'>;
  scimRequests: Counter<'source' | 'method' | 'route' | 'status_class'>;
  scimRequestDuration: Histogram<'source' | 'method' | 'route'>;
  webhookDeliveries: Counter<'target' | 'outcome'>;
  lifecycleChanges: Counter<'change'>;
}

/** What the scrape-time gauges read, and the label values known up front. */
export interface MetricsOptions {
  /** Every configured source's health (from the store, so every process reports the same). */
  sourcesHealth?: () => Promise<SourceHealthReport[]>;
  /** When the oldest outbox event not yet delivered was written; undefined when none waits. */
  oldestUndelivered?: () => Promise<Date | undefined>;
  /** How many identity changes are parked in the store, waiting for the queue to answer. */
  parkedChanges?: () => Promise<number>;
  /** Pulled source ids: their run counters start at 0, so the first failure shows in `increase()`. */
  pulledSources?: readonly string[];
  /** Webhook target labels (`webhookTargetLabel`), likewise. */
  webhookTargets?: readonly string[];
  /** A scrape-time read failed; its gauges are left out of this scrape. */
  onCollectError?: (metric: string, error: unknown) => void;
}

/**
 * Every metric idsync exposes on `/metrics`. Labels take bounded values only: source ids, queue
 * names, workspace-independent route patterns, webhook targets from the config — never a user, an
 * e-mail or a raw path. Counters and histograms count what this process did; the gauges marked
 * "scrape time" read shared state (Redis, the database), so every process reports the same value
 * and rules aggregate them with `max by (…)`.
 */
export function createMetrics(queues: readonly Queue[], options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'idsync_' });
  const registers = [registry];
  const failed = (metric: string, error: unknown) => options.onCollectError?.(metric, error);
  registerQueueGauge(registers, queues);
  if (options.sourcesHealth) registerSourceGauges(registers, options.sourcesHealth, failed);
  if (options.oldestUndelivered) registerOutboxGauge(registers, options.oldestUndelivered, failed);
  if (options.parkedChanges) {
    const help = 'Identity changes parked in the store while the queue did not take them, or until a recovery publishes them; 0 when none waits (scrape time)';
    registerScrapeTimeGauge(registers, 'idsync_parked_changes', help, options.parkedChanges, failed);
  }
  const metrics = createCountersAndHistograms(registry);
  startKnownSeriesAtZero(metrics, options);
  return metrics;
}

type Registers = Registry[];
type CollectFailed = (metric: string, error: unknown) => void;

function registerQueueGauge(registers: Registers, queues: readonly Queue[]): void {
  new Gauge({
    name: 'idsync_queue_jobs',
    help: 'Jobs in each BullMQ queue, by state (scrape time)',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      await Promise.all(
        queues.map(async (queue) => {
          const counts = await queue.getJobCounts(...JOB_STATES);
          for (const state of JOB_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }),
      );
    },
  });
}

function registerSourceGauges(registers: Registers, sourcesHealth: () => Promise<SourceHealthReport[]>, failed: CollectFailed): void {
  // The three source gauges share one read of the sources' health: a scrape starts their collects
  // together, and those that start while a read is under way take its answer.
  let healthRead: Promise<SourceHealthReport[] | undefined> | undefined;
  const health = () =>
    (healthRead ??= sourcesHealth()
      .then(
        (reports) => reports,
        (error: unknown) => void failed('idsync_source_health', error),
      )
      .finally(() => (healthRead = undefined)));
  new Gauge({
    name: 'idsync_source_health',
    help: 'Each source health state: 1 for the current one, 0 for the others (scrape time)',
    labelNames: ['source', 'health'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of (await health()) ?? []) for (const state of HEALTH_STATES) this.set({ source: r.id, health: state }, r.health.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: 'idsync_sync_last_success_timestamp_seconds',
    help: 'When the latest successful sync run of each pulled source finished, Unix time (scrape time)',
    labelNames: ['source'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of (await health()) ?? []) if (r.lastSuccessAt) this.set({ source: r.id }, r.lastSuccessAt.getTime() / 1000);
    },
  });
  new Gauge({
    name: 'idsync_sync_consecutive_failures',
    help: 'Failed sync runs in a row up to the latest run of each pulled source; 0 once one succeeds (scrape time)',
    labelNames: ['source'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of (await health()) ?? []) if (r.kind !== 'scim' && r.kind !== 'csv') this.set({ source: r.id }, r.consecutiveFailures);
    },
  });
}

/**
 * A gauge of one value read from shared state at each scrape; a read that fails leaves the gauge out
 * of that scrape (and is reported), rather than showing a stale or made-up value.
 */
function registerScrapeTimeGauge(registers: Registers, name: string, help: string, read: () => Promise<number>, failed: CollectFailed): void {
  new Gauge({
    name,
    help,
    registers,
    async collect() {
      try {
        this.set(await read());
      } catch (error) {
        this.reset();
        failed(name, error);
      }
    },
  });
}

function registerOutboxGauge(registers: Registers, oldest: () => Promise<Date | undefined>, failed: CollectFailed): void {
  const ageSeconds = async () => {
    const at = await oldest();
    return at ? Math.max(0, (Date.now() - at.getTime()) / 1000) : 0;
  };
  registerScrapeTimeGauge(
    registers,
    'idsync_outbox_oldest_undelivered_age_seconds',
    'Age of the oldest membership event not yet delivered to every webhook that wants it; 0 when none waits (scrape time)',
    ageSeconds,
    failed,
  );
}

/** What this process counts and times (not read at scrape time). */
function createCountersAndHistograms(registry: Registry): Metrics {
  const registers = [registry];
  return {
    registry,
    changesReconciled: new Counter({ name: 'idsync_changes_reconciled_total', help: 'Person changes reconciled', labelNames: ['outcome'] as const, registers }),
    grantChanges: new Counter({ name: 'idsync_grant_changes_total', help: 'Changes to rule grants written by the reconciler', labelNames: ['kind'] as const, registers }),
    changeToGrant: new Histogram({
      name: 'idsync_change_to_grant_seconds',
      help: 'From a change written to observed state (SCIM request answered, sync batch written) to the grant change it caused committed, per grant change',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600],
      registers,
    }),
    syncRuns: new Counter({ name: 'idsync_sync_runs_total', help: 'Sync runs finished, by source, mode and status', labelNames: ['source', 'mode', 'status'] as const, registers }),
    syncRunDuration: new Histogram({
      name: 'idsync_sync_run_duration_seconds',
      help: 'How long finished sync runs took, by source and mode',
      labelNames: ['source', 'mode'] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
      registers,
    }),
    syncEntries: new Counter({
      name: 'idsync_sync_entries_total',
      help: 'Directory entries sync runs created, updated, deleted or skipped in observed state, by source',
      labelNames: ['source', 'change'] as const,
      registers,
    }),
    scimRequests: new Counter({
      name: 'idsync_scim_requests_total',
      help: 'SCIM requests answered, by source (none: unauthenticated), method, route pattern and status class',
      labelNames: ['source', 'method', 'route', 'status_class'] as const,
      registers,
    }),
    scimRequestDuration: new Histogram({
      name: 'idsync_scim_request_duration_seconds',
      help: 'SCIM request latency, by source, method and route pattern',
      labelNames: ['source', 'method', 'route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    webhookDeliveries: new Counter({ name: 'idsync_webhook_deliveries_total', help: 'Webhook delivery attempts, by target and outcome', labelNames: ['target', 'outcome'] as const, registers }),
    lifecycleChanges: new Counter({ name: 'idsync_lifecycle_changes_total', help: 'Memberships and invites changed by lifecycle sweeps, by change', labelNames: ['change'] as const, registers }),
  };
}

/** Series whose label values are known up front start at 0, so that the first increase shows in `increase()`. */
function startKnownSeriesAtZero(metrics: Metrics, options: MetricsOptions): void {
  for (const source of options.pulledSources ?? []) {
    for (const mode of ['full', 'delta']) for (const status of ['succeeded', 'failed', 'blocked']) metrics.syncRuns.inc({ source, mode, status }, 0);
  }
  for (const target of options.webhookTargets ?? []) for (const outcome of ['delivered', 'retrying', 'failed'] satisfies WebhookOutcome[]) metrics.webhookDeliveries.inc({ target, outcome }, 0);
  for (const change of LIFECYCLE_CHANGES) metrics.lifecycleChanges.inc({ change }, 0);
}
