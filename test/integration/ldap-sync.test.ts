import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { SyncService } from '../../src/sync/sync-service.js';
import type { SyncRunView } from '../../src/store/runs/sync-runs.js';
import { openTestStore, type TestStore } from '../helpers/db.js';
import { createPipeline, type Pipeline } from '../helpers/pipeline.js';
import { groupDn, startSlapd, userDn, type Slapd } from '../helpers/slapd.js';

const USERS = 2000;
const STAMP = 'createTimestamp: 20200101000000Z\nmodifyTimestamp: 20200101000000Z\n';
const GROUPS = 10;

describe('LDAP sync end to end (real slapd, PostgreSQL, Redis)', () => {
  let slapd: Slapd;
  let store: TestStore;
  let pipeline: Pipeline;
  let sync: SyncService;
  let queue: Queue;

  const rawConfig = (over: Record<string, unknown> = {}) => ({
    organization: { internalDomains: ['example.com'] },
    sources: [
      {
        id: 'corp',
        kind: 'ldap',
        url: slapd.url,
        bindDn: slapd.bindDn,
        passwordEnv: 'LDAP_PW',
        users: { baseDn: slapd.peopleDn, filter: '(objectClass=inetOrgPerson)' },
        groups: { baseDn: slapd.groupsDn, filter: '(objectClass=groupOfNames)' },
        pageSize: 500,
        maxDeletes: '5%',
        ...over,
      },
    ],
    workspaces: [
      {
        id: 'eng',
        name: 'Engineering',
        roles: {
          admin: [{ source: 'corp', group: groupDn(1) }],
          editor: [{ source: 'corp', group: 'group2' }],
          viewer: [{ source: 'corp', group: 'big' }],
        },
      },
    ],
  });

  async function run(mode: 'full' | 'delta', extra: { allowDeletes?: boolean; dryRun?: boolean } = {}): Promise<SyncRunView> {
    const result = await sync.execute({ sourceId: 'corp', mode, ...extra });
    if ('skipped' in result) throw new Error(result.skipped);
    await pipeline.drain();
    return result;
  }
  const role = async (email: string) =>
    (await store.db.query<{ role: string; status: string }>(
      `select m.role, m.status from memberships m join people p on p.id = m.person_id where p.email = $1 and m.workspace_id = 'eng'`,
      [email],
    )).rows[0];

  beforeAll(async () => {
    // user1..user5000 are all in "big" (a 5,000-member group); groups 1..10 partition the first 2,000.
    const bigMembers = Array.from({ length: 5000 }, (_, i) => `member: ${userDn(i + 1)}`).join('\n');
    const extraUsers = Array.from({ length: 3000 }, (_, i) => {
      const n = USERS + i + 1;
      return `dn: ${userDn(n)}\nobjectClass: inetOrgPerson\nuid: user${n}\ncn: User ${n}\nsn: F${n}\nmail: user${n}@example.com\n${STAMP}`;
    }).join('\n');
    slapd = await startSlapd({
      users: USERS,
      groups: GROUPS,
      timestamp: '20200101000000Z',
      extraLdif: `${extraUsers}\ndn: cn=big,ou=groups,dc=example,dc=com\nobjectClass: groupOfNames\ncn: big\n${bigMembers}\n${STAMP}`,
    });
    store = await openTestStore('postgres');
    pipeline = await createPipeline(store.db, rawConfig(), 'ldap');
    pipeline.startWorker();
    queue = new Queue('sync', { connection: pipeline.redis, prefix: pipeline.prefix });
    sync = new SyncService({ db: store.db, ingest: pipeline.ingest, config: pipeline.config, env: { LDAP_PW: slapd.password }, queue, logger: pino({ level: 'silent' }) });
  }, 120_000);
  afterAll(async () => {
    await queue?.close();
    await pipeline?.close();
    await store?.close();
    await slapd?.stop();
  });

  it('a full sync lands every user, group and membership', async () => {
    const r = await run('full');
    expect(r.status).toBe('succeeded');
    expect(r.counts).toMatchObject({ seen: 5000, created: 5000, updated: 0, deleted: 0, unchanged: 0, skipped: 0 });
    const members = await store.db.query<{ role: string; n: number }>(
      `select role, count(*)::int as n from memberships where workspace_id = 'eng' and status = 'active' group by role order by role`,
    );
    // group1 (admins) and group2 (editors) hold 200 each of the first 2,000; everyone else is a viewer via "big"
    expect(members.rows).toEqual([
      { role: 'admin', n: 200 },
      { role: 'editor', n: 200 },
      { role: 'viewer', n: 4600 },
    ]);
    const big = await store.db.query<{ n: number }>(
      `select count(*)::int as n from source_group_members m join source_groups g on g.id = m.group_id where g.display_name = 'big'`,
    );
    expect(big.rows[0]?.n).toBe(5000);
  });

  it('a second full run with nothing changed writes nothing', async () => {
    const before = pipeline.publisher.published;
    const r = await run('full');
    expect(r.counts).toMatchObject({ seen: 5000, created: 0, updated: 0, deleted: 0, unchanged: 5000 });
    expect(pipeline.publisher.published).toBe(before);
  });

  it('a delta after ldapmodify picks up changed users and re-reads changed groups', async () => {
    await slapd.ldapModify(
      [
        `dn: ${userDn(7)}\nchangetype: modify\nreplace: sn\nsn: Renamed\n`,
        `dn: ${groupDn(1)}\nchangetype: modify\nadd: member\nmember: ${userDn(2)}\n`,
      ].join('\n'),
    );
    const r = await run('delta');
    expect(r.mode).toBe('delta');
    expect(r.status).toBe('succeeded');
    expect(r.counts.seen).toBeLessThan(10);
    expect(r.counts.updated).toBe(1);
    const seven = await store.db.query<{ family_name: string }>(`select family_name from source_users where external_id is not null and user_name = 'user7'`);
    expect(seven.rows[0]?.family_name).toBe('Renamed');
    expect(await role('user2@example.com')).toEqual({ role: 'admin', status: 'active' });
  });

  it('a full run that would delete more than maxDeletes is blocked and applies nothing', async () => {
    const deletes = Array.from({ length: 300 }, (_, i) => `dn: ${userDn(4000 + i)}\nchangetype: delete\n`).join('\n');
    await slapd.ldapModify(deletes);
    await slapd.ldapModify(`dn: ${userDn(9)}\nchangetype: modify\nreplace: sn\nsn: ChangedToo\n`);
    const r = await run('full');
    expect(r.status).toBe('blocked');
    expect(r.error?.message).toContain('would delete 300 of 5000 users, more than maxDeletes (5% = 250)');
    const live = await store.db.query<{ n: number }>(`select count(*)::int as n from source_users where deleted_at is null`);
    expect(live.rows[0]?.n).toBe(5000);
    const nine = await store.db.query<{ family_name: string }>(`select family_name from source_users where user_name = 'user9'`);
    expect(nine.rows[0]?.family_name).toBe('Family9');

    const dry = await run('full', { allowDeletes: true, dryRun: true });
    expect(dry, JSON.stringify(dry)).toMatchObject({ status: 'succeeded', dryRun: true, counts: expect.objectContaining({ deleted: 300, updated: 1 }) });
    expect((await store.db.query<{ n: number }>(`select count(*)::int as n from source_users where deleted_at is null`)).rows[0]?.n).toBe(5000);

    const forced = await run('full', { allowDeletes: true });
    expect(forced.status).toBe('succeeded');
    expect(forced.counts.deleted).toBe(300);
    // a deleted entry's membership is suspended at once
    expect(await role('user4000@example.com')).toEqual({ role: 'viewer', status: 'suspended' });
    expect(await role('user3999@example.com')).toEqual({ role: 'viewer', status: 'active' });
  });

  it('a search that times out fails the run, deletes nothing and keeps the cursor', async () => {
    const cursorBefore = await store.db.query<{ cursor: string }>(`select cursor from source_cursors where source_id = 'corp'`);
    const deletes = Array.from({ length: 10 }, (_, i) => `dn: ${userDn(100 + i)}\nchangetype: delete\n`).join('\n');
    await slapd.ldapModify(deletes);
    await slapd.signal('SIGSTOP');
    const slow = new SyncService({
      db: store.db,
      ingest: pipeline.ingest,
      config: (await import('../../src/config/load.js')).parseConfig(rawConfig({ timeoutMs: 500, connectTimeoutMs: 500 })),
      env: { LDAP_PW: slapd.password },
      queue,
      logger: pino({ level: 'silent' }),
    });
    let result;
    try {
      result = await slow.execute({ sourceId: 'corp', mode: 'full' });
    } finally {
      await slapd.signal('SIGCONT');
    }
    expect(result).toMatchObject({ status: 'failed' });
    expect((result as SyncRunView).error?.message).toMatch(/corp/);
    const live = await store.db.query<{ n: number }>(`select count(*)::int as n from source_users where deleted_at is null`);
    expect(live.rows[0]?.n).toBe(4700);
    const cursorAfter = await store.db.query<{ cursor: string }>(`select cursor from source_cursors where source_id = 'corp'`);
    expect(cursorAfter.rows).toEqual(cursorBefore.rows);
  });

  it('admits one run per source at a time', async () => {
    await sync.trigger('corp', { mode: 'full' });
    await expect(sync.trigger('corp', { mode: 'delta' })).rejects.toThrow('already queued or running');
    const skipped = await sync.execute({ sourceId: 'corp', mode: 'delta' });
    expect(skipped).toEqual({ skipped: expect.stringContaining('already queued or running') });
  });
});
