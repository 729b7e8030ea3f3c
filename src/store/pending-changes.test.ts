import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ingest } from '../ingest/ingest.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../../test/helpers/db.js';
import { user } from '../../test/helpers/data.js';
import { createMetrics } from '../api/metrics.js';
import { countParkedChanges, parkEveryone } from './pending-changes.js';

describe.each(STORE_KINDS)('parking everyone (%s)', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(kind);
    await store.db.query(`insert into sources (id, kind) values ('hr', 'scim'), ('crm', 'scim')`);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('parks one change per address of any account, deleted ones included, keeping what was parked already', async () => {
    const ingest = new Ingest({ db: store.db, changes: { publish: async () => {} } });
    await ingest.writeUsers('hr', [user('hr', 1), user('hr', 2), user('hr', 3, { email: 'Shared@Example.com' })]);
    await ingest.writeUsers('crm', [user('crm', 'other', { email: 'shared@example.com' })]);
    await ingest.deleteUsers('hr', [user('hr', 2).id]);
    await store.db.query(`insert into pending_changes (key, source_id, cause) values ('user1@example.com', 'hr', 'earlier')`);

    expect(await parkEveryone(store.db, 'recovery')).toBe(2);
    const parked = await store.db.query<{ key: string; cause: string }>('select key, cause from pending_changes order by key');
    expect(parked.rows).toEqual([
      { key: 'shared@example.com', cause: 'recovery' },
      { key: 'user1@example.com', cause: 'earlier' },
      { key: 'user2@example.com', cause: 'recovery' },
    ]);
  });

  it('the idsync_parked_changes gauge reads how many are parked, at each scrape', async () => {
    const metrics = createMetrics([], { parkedChanges: () => countParkedChanges(store.db) });
    const gauge = async () => Number(/^idsync_parked_changes (\S+)$/m.exec(await metrics.registry.metrics())?.[1]);
    expect(await gauge()).toBe(3);
    await store.db.query(`delete from pending_changes where key = 'user1@example.com'`);
    expect(await gauge()).toBe(2);
  });
});
