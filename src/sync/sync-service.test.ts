import type { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../test/helpers/db.js';
import { parseConfig } from '../config/load.js';
import type { Ingest } from '../ingest/ingest.js';
import { listRuns } from '../store/runs/sync-runs.js';
import { SyncService } from './sync-service.js';

describe('SyncService.trigger', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore('pglite');
    await store.db.query(`insert into sources (id, kind) values ('corp', 'ldap')`);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('a run its queue refused is failed with a message that names the source', async () => {
    const config = parseConfig({ sources: [{ id: 'corp', kind: 'ldap', url: 'ldap://127.0.0.1:3890', users: { baseDn: 'dc=example,dc=com' } }] });
    const queue = { add: async () => Promise.reject(new Error('Connection is closed.')) } as unknown as Queue;
    const service = new SyncService({ db: store.db, ingest: {} as Ingest, config, env: {}, queue, logger: pino({ level: 'silent' }) });

    await expect(service.trigger('corp', { mode: 'full' })).rejects.toThrow('Connection is closed.');
    const [run] = await listRuns(store.db, 'corp', { limit: 1 });
    expect(run?.status).toBe('failed');
    expect(run?.error?.message).toBe('source "corp": could not queue the run: Connection is closed.');
  });
});
