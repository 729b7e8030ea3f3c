import type { Worker, Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { HttpLimits } from '../api/listen.js';
import type { Env, Settings } from '../config/env.js';
import type { Config } from '../config/schema.js';
import type { ChangeQueue } from '../queue/change-queue.js';
import type { Ingest } from '../ingest/ingest.js';
import type { Db } from '../store/db.js';
import type { ConnectorFactory } from '../sync/connectors.js';
import type { SyncService } from '../sync/sync-service.js';

export interface Roles {
  /** SCIM server, admin API, ops endpoints. */
  http: boolean;
  /** Queue workers: reconcile, sync, lifecycle, webhooks. */
  worker: boolean;
  /** Job schedulers: directory sync schedules and lifecycle sweeps. */
  scheduler: boolean;
}

export interface DaemonOptions {
  settings: Settings;
  config: Config;
  roles: Roles;
  logger: Logger;
  /** The clock; tests control it. */
  now?: () => Date;
  /** Open store to use instead of the one `settings` names (tests). */
  db?: Db;
  /** Jobs each change worker runs at once. Default 4. */
  workerConcurrency?: number;
  /** Where secrets named in the config (`tokenEnv`, `passwordEnv`, …) are looked up. */
  env: Env;
  /** Builds a source's connector; tests point cloud connectors at local fakes. */
  connectorFactory?: ConnectorFactory;
  /** Lifecycle sweep and webhook timings; tests shorten them. */
  lifecycleTimings?: LifecycleTimings;
  /** Request timeouts and header size of the HTTP server (`DEFAULT_HTTP_LIMITS`); tests shorten them. */
  httpLimits?: Partial<HttpLimits>;
}

export interface LifecycleTimings {
  /** Between lifecycle sweeps (job scheduler). Default 60 000 ms. */
  sweepEveryMs?: number;
  /** Between outbox relays to the webhooks queue. Default 1000 ms. */
  relayIntervalMs?: number;
  /** Attempts per webhook delivery. Default 10. */
  webhookAttempts?: number;
  /** First webhook retry delay, doubled each time. Default 5000 ms. */
  webhookBackoffMs?: number;
}

export interface Daemon {
  db: Db;
  sync: SyncService;
  ingest: Ingest;
  changes: ChangeQueue;
  queues: Queue[];
  workers: Worker[];
  /** `http://host:port`: the HTTP role, or a worker's `/healthz`, `/readyz` and `/metrics`. */
  url: string | undefined;
  close(): Promise<void>;
}
