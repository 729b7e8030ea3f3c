/**
 * Delta runs over partial records: the engine merges each onto the user's (or group's) observed
 * state, read once per page, and writes the whole record through the usual path; a partial record
 * with nothing to merge onto is skipped with its reason. Real stores, an in-memory connector.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Ingest } from '../../src/ingest/ingest.js';
import type { PersonChange } from '../../src/ingest/records.js';
import type { Db } from '../../src/store/db.js';
import type { Connector, ConnectorPage, SourceUser } from '../../src/connector/connector.js';
import { recordId } from '../../src/sync/record-ids.js';
import { runSync } from '../../src/sync/run-sync.js';
import { STORE_KINDS, openTestStore, type TestStore } from '../helpers/db.js';

const user = (n: number): SourceUser => ({
  externalId: `u-${n}`,
  userName: `user${n}@corp.example`,
  // Mixed case: the engine must give the address back as given, or every merge would be a change.
  email: `User${n}@Example.com`,
  emails: [{ value: `User${n}@Example.com`, type: 'work', primary: true }],
  givenName: `Given${n}`,
  familyName: `Family${n}`,
  displayName: `Given${n} Family${n}`,
  company: 'Example',
  active: true,
  attributes: { jobTitle: 'Engineer', department: `Dept ${n}` },
});

const connector = (delta: ConnectorPage[]): Connector => ({
  kind: 'entra',
  async *full(): AsyncGenerator<ConnectorPage> {
    yield { users: [1, 2, 3, 4].map(user) };
    yield { groups: [{ externalId: 'g-1', displayName: 'Engineering', aliases: ['eng'], memberExternalIds: ['u-1', 'u-2'] }], cursor: 'c0' };
  },
  async *delta(): AsyncGenerator<ConnectorPage> {
    yield* delta;
  },
});

describe.each(STORE_KINDS)('delta runs over partial records (%s)', (kind) => {
  let store: TestStore;
  let published: PersonChange[];
  /** A source of its own for each test: one store serves them all. */
  let source: string;
  beforeAll(async () => {
    store = await openTestStore(kind);
  });
  afterAll(async () => store.close());
  beforeEach(async () => {
    source = `entra-${randomUUID().slice(0, 8)}`;
    await store.db.query(`insert into sources (id, kind) values ($1, 'entra')`, [source]);
    published = [];
  });

  const run = async (c: Connector, mode: 'full' | 'delta', db: Db = store.db) => {
    const ingest = new Ingest({ db, changes: { publish: async (changes) => void published.push(...changes) } });
    const outcome = await runSync({ db, ingest, connector: c, source: { id: source, maxDeletes: 10 }, runId: randomUUID(), mode, cursor: 'c0' });
    expect(outcome.error).toBeUndefined();
    return outcome;
  };
  const row = async (n: number) =>
    (await store.db.query<Record<string, unknown>>(
      'select user_name, email, emails, given_name, family_name, display_name, company, active, attributes, version::text from source_users where source_id = $1 and external_id = $2',
      [source, `u-${n}`],
    )).rows[0];

  it('merges a disable and a rename onto observed state, writes only those users and publishes the disable', async () => {
    const c = connector([{ userPatches: [{ externalId: 'u-1', active: false }, { externalId: 'u-2', familyName: 'Rivera', displayName: 'Given2 Rivera' }] }]);
    await run(c, 'full');
    const [before1, before2, before3] = [await row(1), await row(2), await row(3)];
    published = [];
    const outcome = await run(c, 'delta');
    expect(outcome).toMatchObject({ status: 'succeeded', mode: 'delta', counts: { seen: 2, updated: 2, created: 0, skipped: 0 } });
    expect(await row(1)).toEqual({ ...before1, active: false, version: expect.any(String) });
    expect((await row(1))?.['version']).not.toBe(before1?.['version']);
    expect(await row(2)).toEqual({ ...before2, family_name: 'Rivera', display_name: 'Given2 Rivera', version: expect.any(String) });
    expect(await row(3)).toEqual(before3);
    expect(published).toEqual(
      expect.arrayContaining([
        { key: 'user1@example.com', sourceId: source, cause: expect.stringContaining('deactivated') },
        { key: 'user2@example.com', sourceId: source, cause: expect.stringContaining('updated') },
      ]),
    );
  });

  it('a patch that changes nothing is unchanged: the stored address, attributes and hash match', async () => {
    const c = connector([{ userPatches: [{ externalId: 'u-3', displayName: 'Given3 Family3', attributes: { jobTitle: 'Engineer' } }] }]);
    await run(c, 'full');
    const before = await row(3);
    const outcome = await run(c, 'delta');
    expect(outcome.counts).toMatchObject({ seen: 1, unchanged: 1, updated: 0 });
    expect(await row(3)).toEqual(before);
  });

  it('applies several patches of one user in one page in order; null clears, absent keeps', async () => {
    const c = connector([
      { userPatches: [{ externalId: 'u-4', givenName: null, attributes: { jobTitle: null } }, { externalId: 'u-4', active: false, company: 'Fabrikam' }] },
    ]);
    await run(c, 'full');
    await run(c, 'delta');
    expect(await row(4)).toMatchObject({
      given_name: null,
      family_name: 'Family4',
      company: 'Fabrikam',
      active: false,
      email: 'user4@example.com',
      attributes: { jobTitle: null, department: 'Dept 4' },
    });
  });

  it('a partial record for a user not observed is skipped with its reason, unless it can create the user', async () => {
    const c = connector([
      {
        userPatches: [
          { externalId: 'u-new', active: false },
          { externalId: 'u-whole', userName: 'whole@corp.example', email: 'Whole@Example.com', active: true },
        ],
      },
    ]);
    await run(c, 'full');
    const outcome = await run(c, 'delta');
    expect(outcome.counts).toMatchObject({ skipped: 1, created: 1 });
    expect(outcome.skippedReasons).toEqual({ 'partial-not-observed': 1 });
    expect((await store.db.query('select 1 from source_users where source_id = $1 and external_id = $2', [source, 'u-new'])).rows).toHaveLength(0);
    const created = (await store.db.query<{ email: string; display_name: string | null }>('select email, display_name from source_users where source_id = $1 and external_id = $2', [source, 'u-whole'])).rows;
    expect(created).toEqual([{ email: 'whole@example.com', display_name: null }]);
  });

  it('a group without displayName keeps its observed name and aliases; its member list is applied', async () => {
    const c = connector([{ groupPatches: [{ externalId: 'g-1', memberExternalIds: ['u-3'] }, { externalId: 'g-unknown', memberExternalIds: ['u-1'] }] }]);
    await run(c, 'full');
    const outcome = await run(c, 'delta');
    expect(outcome.skippedReasons).toEqual({ 'partial-not-observed': 1 });
    const g = await store.db.query<{ display_name: string; aliases: string[] }>('select display_name, aliases from source_groups where source_id = $1 and external_id = $2', [source, 'g-1']);
    expect(g.rows).toEqual([{ display_name: 'Engineering', aliases: ['eng'] }]);
    const members = await store.db.query<{ user_id: string }>('select user_id from source_group_members where group_id = $1', [recordId(source, 'group', 'g-1')]);
    expect(members.rows.map((m) => m.user_id)).toEqual([recordId(source, 'user', 'u-3')]);
  });

  // Graph may name an entry more than once in a round, on several pages: the latest occurrence is its current state.
  it('an entry named again later in the round: the later record replaces, later patches merge onto it in order, one entry each', async () => {
    const c = connector([
      { users: [{ ...user(1), familyName: 'Rivera' }, { ...user(2), familyName: 'Early' }] },
      { userPatches: [{ externalId: 'u-1', active: false }] },
      { users: [{ ...user(2), familyName: 'Late' }], userPatches: [{ externalId: 'u-1', displayName: 'Ana Rivera' }] },
    ]);
    await run(c, 'full');
    const outcome = await run(c, 'delta');
    expect(await row(1)).toMatchObject({ family_name: 'Rivera', display_name: 'Ana Rivera', active: false });
    expect(await row(2)).toMatchObject({ family_name: 'Late', active: true });
    expect(outcome.counts).toMatchObject({ seen: 2, updated: 2, created: 0, skipped: 0 });
  });

  it('a user name and an address an entry gives up later in the round are free for another entry of it', async () => {
    const c = connector([
      { users: [{ ...user(1), userName: 'ana@corp.example', email: 'ana@example.com', emails: undefined }] },
      { users: [user(1), { ...user(2), userName: 'ana@corp.example', email: 'ana@example.com', emails: undefined }] },
    ]);
    await run(c, 'full');
    const outcome = await run(c, 'delta');
    expect(outcome.skippedReasons).toEqual({});
    expect(await row(1)).toMatchObject({ user_name: 'user1@corp.example', email: 'user1@example.com' });
    expect(await row(2)).toMatchObject({ user_name: 'ana@corp.example', email: 'ana@example.com' });
    expect(outcome.counts).toMatchObject({ seen: 2, updated: 1, unchanged: 1 });
  });

  it('a removal later in the round wins over the records before it, and a record after a removal restores the user', async () => {
    const c = connector([
      { userPatches: [{ externalId: 'u-3', familyName: 'Gone' }], removedUsers: ['u-4'] },
      { removedUsers: ['u-3'], users: [{ ...user(4), familyName: 'Back' }] },
      // Nothing to merge onto: the round removed u-3, and a partial record does not bring it back.
      { userPatches: [{ externalId: 'u-3', active: true }] },
    ]);
    await run(c, 'full');
    const outcome = await run(c, 'delta');
    const live = await store.db.query<{ external_id: string }>('select external_id from source_users where source_id = $1 and deleted_at is null order by 1', [source]);
    expect(live.rows.map((r) => r.external_id)).toEqual(['u-1', 'u-2', 'u-4']);
    expect(await row(4)).toMatchObject({ family_name: 'Back' });
    expect(outcome.counts).toMatchObject({ deleted: 1, updated: 1 });
    expect(outcome.skippedReasons).toEqual({ 'partial-not-observed': 1 });
  });

  it('a group named again later in the round: the later record replaces, keeps the member list read before it, and member changes follow in order', async () => {
    const c = connector([
      { groups: [{ externalId: 'g-1', displayName: 'Eng A', aliases: ['a'], memberExternalIds: ['u-1', 'u-3'] }] },
      { groups: [{ externalId: 'g-1', displayName: 'Eng B', aliases: ['b'] }], memberChanges: [{ groupExternalId: 'g-1', added: ['u-4', 'u-2'], removed: [] }] },
      { groupPatches: [{ externalId: 'g-1', aliases: ['c'] }], memberChanges: [{ groupExternalId: 'g-1', added: [], removed: ['u-2'] }] },
    ]);
    await run(c, 'full');
    await run(c, 'delta');
    const g = await store.db.query<{ display_name: string; aliases: string[] }>('select display_name, aliases from source_groups where source_id = $1 and external_id = $2', [source, 'g-1']);
    expect(g.rows).toEqual([{ display_name: 'Eng B', aliases: ['c'] }]);
    const members = await store.db.query<{ user_id: string }>('select user_id from source_group_members where group_id = $1', [recordId(source, 'group', 'g-1')]);
    expect(members.rows.map((m) => m.user_id).sort()).toEqual(['u-1', 'u-3', 'u-4'].map((u) => recordId(source, 'user', u)).sort());
  });

  it('reads observed state once per page of patches, not once per user', async () => {
    const patches = Array.from({ length: 4 }, (_, i) => ({ externalId: `u-${i + 1}`, active: false }));
    const c = connector([{ userPatches: patches.slice(0, 2) }, { userPatches: patches.slice(2) }]);
    await run(c, 'full');
    let lookups = 0;
    const counting = new Proxy(store.db, {
      get(target, key, receiver) {
        if (key !== 'query') return Reflect.get(target, key, receiver) as unknown;
        return (text: string, params?: readonly unknown[]) => {
          if (/from source_users\s+where source_id = \$1 and external_id = any/.test(text)) lookups++;
          return target.query(text, params);
        };
      },
    });
    const outcome = await run(c, 'delta', counting);
    expect(outcome.counts.updated).toBe(4);
    expect(lookups).toBe(2);
  });
});
