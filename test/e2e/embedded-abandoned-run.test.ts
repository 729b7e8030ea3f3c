import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/env.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { createPgliteDb } from '../../src/store/pglite.js';
import { registerConfig } from '../../src/store/registry.js';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

describe('the embedded store at start', () => {
  const prefix = uniquePrefix('embrun');
  let daemon: Daemon | undefined;
  let db: Db | undefined;
  afterAll(async () => {
    await daemon?.close();
    await db?.close();
    const redis = testRedis();
    await deletePrefix(redis, `{${prefix}}`);
    await redis.quit();
  });

  it('fails a run its previous process left running at once, not after the two-minute heartbeat', async () => {
    const config = parseConfig({ sources: [{ id: 'scim', kind: 'scim' }], workspaces: [] });
    db = await createPgliteDb();
    await migrate(db);
    await registerConfig(db, config);
    // killed a moment ago: its heartbeat is fresh
    await db.query(`insert into sync_runs (source_id, mode, status, dry_run, trigger, started_at, heartbeat_at) values ('scim', 'full', 'running', false, 'manual', now(), now())`);

    daemon = await startDaemon({
      settings: { ...readSettings({}), redisUrl: TEST_REDIS_URL, queuePrefix: prefix },
      config,
      roles: { http: false, worker: true, scheduler: false },
      logger: createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
      db,
      env: {},
    });
    const runs = await db.query<{ status: string; error: string }>('select status, error from sync_runs');
    expect(runs.rows).toEqual([{ status: 'failed', error: expect.stringMatching(/^source "scim": abandoned:/) }]);
  });
});
