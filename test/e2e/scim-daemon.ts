/** An in-process daemon serving SCIM for the SCIM end-to-end tests, on PostgreSQL or PGlite, with the shared Redis. */
import { Writable } from 'node:stream';
import { readSettings } from '../../src/config/env.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { openTestStore, type StoreKind, type TestStore } from '../helpers/db.js';
import { deletePrefix, TEST_REDIS_URL, testRedis, uniquePrefix } from '../helpers/redis.js';

export const ADMIN_TOKEN = 'admin-token-for-scim-tests';

export interface ScimDaemon {
  daemon: Daemon;
  store: TestStore;
  /** `http://127.0.0.1:port/scim/v2` */
  scimUrl: string;
  logLines: string[];
  close(): Promise<void>;
}

export async function startScimDaemon(options: { kind: StoreKind; config: unknown; env: Record<string, string>; worker?: boolean }): Promise<ScimDaemon> {
  const store = await openTestStore(options.kind);
  const prefix = uniquePrefix('scim');
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const daemon = await startDaemon({
    settings: { ...readSettings({}), port: 0, redisUrl: TEST_REDIS_URL, queuePrefix: prefix, adminToken: ADMIN_TOKEN },
    config: parseConfig(options.config),
    roles: { http: true, worker: options.worker ?? false, scheduler: false },
    logger: createLogger({ destination: sink, level: 'info' }),
    db: store.db,
    env: options.env,
  });
  return {
    daemon,
    store,
    scimUrl: `${daemon.url}/scim/v2`,
    logLines,
    async close() {
      await daemon.close();
      await store.close();
      const redis = testRedis();
      await deletePrefix(redis, prefix).catch(() => {});
      redis.disconnect();
    },
  };
}
