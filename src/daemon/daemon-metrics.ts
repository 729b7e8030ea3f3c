import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { createMetrics, type Metrics } from '../api/metrics.js';
import type { Db } from '../store/db.js';
import { countParkedChanges } from '../store/pending-changes.js';
import { isPulled } from '../sync/connectors.js';
import { sourcesHealth } from '../sync/sources-health.js';
import { webhookTargetLabel } from '../webhooks/delivery-job.js';
import { oldestUndeliveredAt } from '../webhooks/oldest-undelivered.js';
import type { DaemonQueues } from './queues.js';

export interface DaemonMetrics {
  metrics: Metrics;
  /** The sources' health, as `/readyz`, the status route and the metrics read it. */
  healthOfSources: () => ReturnType<typeof sourcesHealth>;
}

/** The Prometheus registry of this process, reading the sources' health and the webhook backlog from the store. */
export function daemonMetrics({ db, config, queues, logger }: { db: Db; config: Config; queues: DaemonQueues; logger: Logger }): DaemonMetrics {
  // Health is read with the system clock, as the runs' own timestamps (written by the database) are.
  const healthOfSources = () => sourcesHealth(db, config, new Date());
  const metrics = createMetrics(queues.all, {
    sourcesHealth: healthOfSources,
    oldestUndelivered: config.webhooks.length > 0 ? () => oldestUndeliveredAt({ db, queue: queues.webhooks }) : undefined,
    parkedChanges: () => countParkedChanges(db),
    pulledSources: config.sources.filter((s) => isPulled(s)).map((s) => s.id),
    webhookTargets: config.webhooks.map((w) => webhookTargetLabel(w.url)),
    onCollectError: (metric, error) => logger.warn({ metric, err: error }, 'metric could not be read'),
  });
  return { metrics, healthOfSources };
}
