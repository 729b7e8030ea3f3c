import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children'] as const;

export interface Metrics {
  registry: Registry;
  changesReconciled: Counter<'outcome'>;
  grantChanges: Counter<'kind'>;
}

/** Default process metrics, per-queue job counts (read at scrape time), and reconcile counters. */
export function createMetrics(queues: readonly Queue[]): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'idsync_' });
  new Gauge({
    name: 'idsync_queue_jobs',
    help: 'Jobs in each BullMQ queue, by state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
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
  return {
    registry,
    changesReconciled: new Counter({ name: 'idsync_changes_reconciled_total', help: 'Person changes reconciled', labelNames: ['outcome'] as const, registers: [registry] }),
    grantChanges: new Counter({ name: 'idsync_grant_changes_total', help: 'Changes to rule grants written by the reconciler', labelNames: ['kind'] as const, registers: [registry] }),
  };
}
