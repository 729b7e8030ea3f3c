import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../../test/helpers/db.js';
import { Ingest } from '../../ingest/ingest.js';
import { user } from '../../../test/helpers/data.js';
import { createRun, failAbandonedRuns, failQueuedRuns, getRun, RunInProgressError } from './sync-runs.js';

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
    expect(failed?.error?.message).toBe('source "corp": lost: Redis lost the queue data before the run started; nothing was applied, trigger it again');
    expect((await createRun(store.db, { sourceId: 'corp', mode: 'full', dryRun: false, trigger: 'manual' })).status).toBe('queued');
  });

  it('leaves running and finished runs alone', async () => {
    await store.db.query(`insert into sync_runs (source_id, mode, status, dry_run, trigger, started_at, heartbeat_at) values ('other', 'full', 'running', false, 'manual', now(), now())`);
    await store.db.query(`update sync_runs set status = 'running' where source_id = 'corp' and status = 'queued'`);
    expect(await failQueuedRuns(store.db)).toBe(0);
  });

  it('an abandoned run is failed and every address of its source is parked: what it wrote unpublished gets reconciled', async () => {
    await store.db.query(`update sync_runs set status = 'failed' where status in ('queued', 'running')`);
    const ingest = new Ingest({ db: store.db, changes: { publish: async () => {} } });
    await ingest.writeUsers('corp', [user('corp', 1), user('corp', 2)]);
    await ingest.writeUsers('other', [user('other', 3)]);
    await store.db.query(`insert into sync_runs (source_id, mode, status, dry_run, trigger, started_at, heartbeat_at) values ('corp', 'full', 'running', false, 'manual', now(), now() - interval '10 minutes')`);
    await store.db.query(`insert into sync_runs (source_id, mode, status, dry_run, trigger, started_at, heartbeat_at) values ('other', 'full', 'running', false, 'manual', now(), now())`);
    await store.db.query('delete from pending_changes');

    expect(await failAbandonedRuns(store.db, 120_000)).toBe(1);
    const abandoned = await store.db.query<{ error: string }>(`select error from sync_runs where source_id = 'corp' and status = 'failed' and error like '%abandoned:%'`);
    expect(abandoned.rows).toEqual([{ error: 'source "corp": abandoned: the worker running it stopped before it finished; nothing was applied after that point' }]);
    const parked = await store.db.query<{ key: string; source_id: string }>('select key, source_id from pending_changes order by key');
    expect(parked.rows).toEqual([
      { key: 'user1@example.com', source_id: 'corp' },
      { key: 'user2@example.com', source_id: 'corp' },
    ]);
    // a fresh heartbeat is left alone, unless nothing else can be running it (staleness 0)
    expect(await failAbandonedRuns(store.db, 0)).toBe(1);
    expect((await store.db.query('select key from pending_changes')).rowCount).toBe(3);
  });
});
