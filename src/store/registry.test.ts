import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { user } from '../../test/helpers/data.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../../test/helpers/db.js';
import { parseConfig } from '../config/load.js';
import { Ingest } from '../ingest/ingest.js';
import { registerConfig } from './registry.js';

const configWith = (rules: Record<string, unknown>, externalValidity = 'P90D') =>
  parseConfig({
    organization: { internalDomains: ['example.com'] },
    sources: [{ id: 'corp', kind: 'scim' }],
    workspaces: [{ id: 'eng', name: 'Engineering', roles: rules }],
    lifecycle: { externalValidity },
  });

describe.each(STORE_KINDS)('registering the config (%s)', (kind) => {
  let store: TestStore;
  const parked = async () => (await store.db.query<{ key: string; cause: string }>('select key, cause from pending_changes order by key')).rows;

  beforeAll(async () => {
    store = await openTestStore(kind);
  });
  afterAll(async () => {
    await store.close();
  });

  it('parks everyone when the rules differ from the last start, and no one when they do not', async () => {
    const a = configWith({ admin: [{ source: 'corp', group: 'admins' }] });
    expect(await registerConfig(store.db, a)).toEqual({ rulesChanged: true, parked: 0 }); // first start: nothing observed yet
    await new Ingest({ db: store.db, changes: { publish: async () => {} } }).writeUsers('corp', [user('corp', 1), user('corp', 2)]);
    await store.db.query('delete from pending_changes');

    expect(await registerConfig(store.db, a)).toEqual({ rulesChanged: false, parked: 0 });
    // the same rules written in another key order are the same rules
    expect(await registerConfig(store.db, parseConfig({ ...JSON.parse(JSON.stringify(a)), workspaces: [{ roles: a.workspaces[0]?.roles, name: 'Engineering', id: 'eng' }] }))).toEqual({ rulesChanged: false, parked: 0 });
    expect(await parked()).toEqual([]);

    // a rule removed: everyone is reconciled again, although no source changed anyone
    expect(await registerConfig(store.db, configWith({}))).toEqual({ rulesChanged: true, parked: 2 });
    expect(await parked()).toEqual([
      { key: 'user1@example.com', cause: 'config: the rules changed' },
      { key: 'user2@example.com', cause: 'config: the rules changed' },
    ]);
    await store.db.query('delete from pending_changes');
    expect(await registerConfig(store.db, configWith({}))).toEqual({ rulesChanged: false, parked: 0 });
    // lifecycle decides validity: a change there is a change too
    expect(await registerConfig(store.db, configWith({}, 'P30D'))).toEqual({ rulesChanged: true, parked: 2 });
  });
});
