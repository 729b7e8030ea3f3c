/**
 * Full runs: entries repeated in one listing are skipped with their reason; a group's member list
 * is settled by a hash over its members' external ids, and a missing or older stored hash is
 * compared row by row once and then replaced; records the directory no longer lists are deleted.
 * Real stores, an in-memory connector.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ingest, membersHash } from '../../src/ingest/ingest.js';
import type { Connector, ConnectorPage, SourceGroup, SourceUser } from '../../src/connector/connector.js';
import { recordId } from '../../src/sync/record-ids.js';
import { runSync } from '../../src/sync/run-sync.js';
import { STORE_KINDS, openTestStore, type TestStore } from '../helpers/db.js';

const user = (n: number): SourceUser => ({ externalId: `u-${n}`, userName: `user${n}`, email: `user${n}@example.com`, active: true });
const group = (members: number[]): SourceGroup => ({ externalId: 'g-1', displayName: 'Engineering', memberExternalIds: members.map((n) => `u-${n}`) });
const listing = (users: number[], members: number[]): Connector => ({
  kind: 'ldap',
  async *full(): AsyncGenerator<ConnectorPage> {
    yield { users: users.map(user) };
    yield { groups: [group(members)], cursor: 'c' };
  },
});
const groupId = recordId('corp', 'group', 'g-1');

describe.each(STORE_KINDS)('full runs over groups (%s)', (kind) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore(kind);
    await store.db.query(`insert into sources (id, kind) values ('corp', 'ldap')`);
  });
  afterEach(async () => store.close());

  const run = async (connector: Connector) => {
    const ingest = new Ingest({ db: store.db, changes: { publish: async () => {} } });
    const outcome = await runSync({ db: store.db, ingest, connector, source: { id: 'corp', maxDeletes: 10 }, runId: randomUUID(), mode: 'full', cursor: undefined });
    expect(outcome.error).toBeUndefined();
    return outcome;
  };
  const stored = async () => {
    const g = await store.db.query<{ members_hash: string | null; version: string }>(`select members_hash, version::text from source_groups where id = $1`, [groupId]);
    const m = await store.db.query<{ user_id: string }>(`select user_id from source_group_members where group_id = $1 order by user_id`, [groupId]);
    return { hash: g.rows[0]?.members_hash, version: g.rows[0]?.version, members: m.rows.map((r) => r.user_id) };
  };
  const ids = (...ns: number[]) => ns.map((n) => recordId('corp', 'user', `u-${n}`)).sort();

  it('stores the hash of the external ids and, with nothing changed, rewrites nothing', async () => {
    await run(listing([1, 2, 3], [1, 2]));
    const first = await stored();
    expect(first.hash).toBe(membersHash(['u-2', 'u-1']));
    expect(first.members).toEqual(ids(1, 2));
    const again = await run(listing([1, 2, 3], [1, 2]));
    expect(again.counts).toMatchObject({ unchanged: 3, created: 0, updated: 0, deleted: 0 });
    expect(await stored()).toEqual(first);
  });

  it('compares a group with a missing or older member hash row by row, then stores the current hash without rewriting the group', async () => {
    await run(listing([1, 2, 3], [1, 2]));
    const before = await stored();
    for (const old of [null, membersHash(ids(1, 2))]) {
      await store.db.query(`update source_groups set members_hash = $2 where id = $1`, [groupId, old]);
      await run(listing([1, 2, 3], [1, 2]));
      expect(await stored()).toEqual(before);
    }
  });

  it('writes a changed member list and its new hash', async () => {
    await run(listing([1, 2, 3], [1, 2]));
    const before = await stored();
    await run(listing([1, 2, 3], [2, 3]));
    const after = await stored();
    expect(after.members).toEqual(ids(2, 3));
    expect(after.hash).toBe(membersHash(['u-2', 'u-3']));
    expect(Number(after.version)).toBeGreaterThan(Number(before.version));
  });

  it('deletes a user the directory no longer lists, and only that one; listed again, it is created anew', async () => {
    await run(listing([1, 2, 3], [1, 2]));
    const outcome = await run(listing([1, 3], [1]));
    expect(outcome.counts).toMatchObject({ deleted: 1, unchanged: 2 });
    const live = await store.db.query<{ external_id: string }>(`select external_id from source_users where source_id = 'corp' and deleted_at is null order by external_id`);
    expect(live.rows.map((r) => r.external_id)).toEqual(['u-1', 'u-3']);
    // Listed again, it is created anew; a changed one is updated.
    const back = await run({ kind: 'ldap', full: async function* () { yield { users: [user(1), user(2), { ...user(3), displayName: 'Renamed' }] }; yield { groups: [group([1])], cursor: 'c' }; } });
    expect(back.counts).toMatchObject({ created: 1, updated: 1, unchanged: 1, deleted: 0 });
    const again = await store.db.query<{ n: number }>(`select count(*)::int as n from source_users where source_id = 'corp' and deleted_at is null`);
    expect(again.rows[0]?.n).toBe(3);
  });

  it('skips an entry whose id, user name or e-mail an earlier entry of the listing has, and keeps nothing of a skipped entry', async () => {
    const entries: SourceUser[] = [
      { ...user(1) },
      { ...user(2), externalId: 'u-1' }, // duplicate-entry
      { ...user(3), userName: 'USER1' }, // duplicate-username
      { ...user(4), email: 'User1@Example.com' }, // duplicate-email: its id and name are taken back...
      { ...user(5), externalId: 'u-4' }, // ...so this one, with u-4's id,
      { ...user(6), userName: 'user4' }, // and this one, with u-4's name, are accepted
    ];
    const outcome = await run({ kind: 'ldap', full: async function* () { yield { users: entries, cursor: 'c' }; } });
    expect(outcome.skippedReasons).toEqual({ 'duplicate-entry': 1, 'duplicate-username': 1, 'duplicate-email': 1 });
    const live = await store.db.query<{ external_id: string; user_name: string; email: string }>(
      `select external_id, user_name, email from source_users where source_id = 'corp' and deleted_at is null order by external_id, user_name`,
    );
    expect(live.rows).toEqual([
      { external_id: 'u-1', user_name: 'user1', email: 'user1@example.com' },
      { external_id: 'u-4', user_name: 'user5', email: 'user5@example.com' },
      { external_id: 'u-6', user_name: 'user4', email: 'user6@example.com' },
    ]);
  });

  it('compares thousands of users in batches while reading on, and counts and writes exactly the changed ones', async () => {
    const all = Array.from({ length: 3500 }, (_, i) => i + 1);
    await run(listing(all, [1]));
    const versions = async () => {
      const rows = await store.db.query<{ external_id: string; version: string }>(`select external_id, version::text from source_users where source_id = 'corp'`);
      return new Map(rows.rows.map((r) => [r.external_id, r.version]));
    };
    const before = await versions();
    // One change in each batch of 1,000 and in the last, partial one; two users the store has not seen.
    const changed = new Set([10, 1500, 2999, 3400]);
    const users = [...all, 3501, 3502].map((n) => (changed.has(n) ? { ...user(n), displayName: `Renamed ${n}` } : user(n)));
    // Pages smaller than a comparison batch, so several batches are read while others are compared.
    const outcome = await run({
      kind: 'ldap',
      async *full() {
        for (let i = 0; i < users.length; i += 300) yield { users: users.slice(i, i + 300) };
        yield { groups: [group([1])], cursor: 'c' };
      },
    });
    expect(outcome.counts).toMatchObject({ seen: 3502, created: 2, updated: 4, unchanged: 3496, deleted: 0 });
    const after = await versions();
    const rewritten = [...after].filter(([id, v]) => before.get(id) !== v).map(([id]) => id).sort();
    expect(rewritten).toEqual(['u-10', 'u-1500', 'u-2999', 'u-3400', 'u-3501', 'u-3502']);
  });

  it('fails the run, applying nothing, when a comparison in flight fails', async () => {
    const all = Array.from({ length: 3000 }, (_, i) => i + 1);
    await run(listing(all, [1]));
    let comparisons = 0;
    // The store, but the second comparison with observed state fails.
    const failing = {
      ...store.db,
      query: (text: string, params?: readonly unknown[]) => {
        if (text.includes('left join source_users') && ++comparisons === 2) return Promise.reject(new Error('connection lost'));
        return store.db.query(text, params);
      },
    } as typeof store.db;
    const renamed = all.map((n) => ({ ...user(n), displayName: `Renamed ${n}` }));
    const ingest = new Ingest({ db: store.db, changes: { publish: async () => {} } });
    const connector: Connector = { kind: 'ldap', full: async function* () { for (let i = 0; i < renamed.length; i += 250) yield { users: renamed.slice(i, i + 250) }; yield { cursor: 'c' }; } };
    const outcome = await runSync({ db: failing, ingest, connector, source: { id: 'corp', maxDeletes: 10 }, runId: randomUUID(), mode: 'full', cursor: undefined });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toContain('connection lost');
    expect(outcome.cursor).toBeUndefined();
    const renamedRows = await store.db.query<{ n: number }>(`select count(*)::int as n from source_users where source_id = 'corp' and display_name like 'Renamed%'`);
    expect(renamedRows.rows[0]?.n).toBe(0);
    const staged = await store.db.query<{ n: number }>(`select count(*)::int as n from sync_staging`);
    expect(staged.rows[0]?.n).toBe(0);
  });

  it('leaves the e-mail check to a connector that declares it makes it (uniqueEmails)', async () => {
    const entries = [user(1), { ...user(2), email: 'USER1@example.com' }];
    const trusting = await run({ kind: 'ldap', uniqueEmails: true, full: async function* () { yield { users: entries, cursor: 'c' }; } });
    expect(trusting.skippedReasons).toEqual({});
    expect(trusting.counts.created).toBe(2);
  });
});
