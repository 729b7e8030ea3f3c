import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../test/helpers/db.js';
import { createRun, failQueuedRuns, getRun, RunInProgressError } from './runs.js';

describe('runs whose jobs Redis lost', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore('postgres');
    await store.db.query(`insert into sources (id, kind) values ('corp', 'ldap'), ('other', 'ldap')`);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('a queued run is failed, saying why, and the source takes a new run again', async () => {
    const queued = await createRun(store.db, { sourceId: 'corp', mode: 'full', dryRun: false, trigger: 'manual' });
    await expect(createRun(store.db, { sourceId: 'corp', mode: 'full', dryRun: false, trigger: 'manual' })).rejects.toBeInstanceOf(RunInProgressError);

    expect(await failQueuedRuns(store.db)).toBe(1);
    const failed = await getRun(store.db, queued.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.error?.message).toMatch(/^lost: Redis lost the queue data before the run started/);
    expect((await createRun(store.db, { sourceId: 'corp', mode: 'full', dryRun: false, trigger: 'manual' })).status).toBe('queued');
  });

  it('leaves running and finished runs alone', async () => {
    await store.db.query(`insert into sync_runs (source_id, mode, status, dry_run, trigger, started_at, heartbeat_at) values ('other', 'full', 'running', false, 'manual', now(), now())`);
    await store.db.query(`update sync_runs set status = 'running' where source_id = 'corp' and status = 'queued'`);
    expect(await failQueuedRuns(store.db)).toBe(0);
  });
});
