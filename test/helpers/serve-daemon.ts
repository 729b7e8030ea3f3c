/**
 * An HTTP-only daemon (`idsync serve`) on a test store, with a clock the test moves: what the SCIM
 * token tests start, one or two at a time (a second process with its own database connections).
 */
import { Writable } from 'node:stream';
import { readSettings } from '../../src/config/env.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { createPostgresDb } from '../../src/store/postgres.js';
import type { TestStore } from './db.js';
import { TEST_REDIS_URL } from './redis.js';

export interface ServingDaemon {
  daemon: Daemon;
  clock: { now: Date };
  logLines: string[];
  close(): Promise<void>;
}

export interface ServeOptions {
  prefix: string;
  adminToken: string;
  config: unknown;
  env?: Record<string, string>;
  /** A second process: its own connections to the same PostgreSQL. */
  ownDb?: boolean;
}

export async function serveHttpOnly(store: TestStore, options: ServeOptions): Promise<ServingDaemon> {
  const clock = { now: new Date('2026-03-01T12:00:00Z') };
  const logLines: string[] = [];
  const sink = new Writable({ write(chunk, _e, done) { logLines.push(String(chunk)); done(); } });
  const db = options.ownDb && store.url ? createPostgresDb({ connectionString: store.url, max: 2 }) : store.db;
  const daemon = await startDaemon({
    settings: { ...readSettings({}), port: 0, redisUrl: TEST_REDIS_URL, queuePrefix: options.prefix, adminToken: options.adminToken },
    config: parseConfig(options.config),
    roles: { http: true, worker: false, scheduler: false },
    logger: createLogger({ destination: sink }),
    db,
    env: options.env ?? {},
    now: () => clock.now,
  });
  return {
    daemon,
    clock,
    logLines,
    async close() {
      await daemon.close();
      if (db !== store.db) await db.close();
    },
  };
}
