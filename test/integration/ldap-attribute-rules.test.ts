/**
 * Rules on directory attributes, end to end: a real slapd, a sync, the change queue, the reconciler.
 * A change of an attribute value in the directory moves the role at the next (delta) sync.
 */
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncService } from '../../src/sync/sync-service.js';
import { openTestStore, type TestStore } from '../helpers/db.js';
import { createPipeline, type Pipeline } from '../helpers/pipeline.js';
import { groupDn, startSlapd, userDn, type Slapd } from '../helpers/slapd.js';

describe('rules on LDAP attributes (real slapd, PostgreSQL, Redis)', () => {
  let slapd: Slapd;
  let store: TestStore;
  let pipeline: Pipeline;
  let sync: SyncService;
  let queue: Queue;

  const grants = async () =>
    Object.fromEntries(
      (
        await store.db.query<{ email: string; role: string; status: string; rule: string }>(
          `select p.email, m.role, m.status, m.rule from memberships m join people p on p.id = m.person_id where m.workspace_id = 'analytics' order by p.email`,
        )
      ).rows.map((r) => [r.email.replace('@example.com', ''), `${r.role} ${r.status} (${r.rule})`]),
    );
  const run = async (mode: 'full' | 'delta') => {
    const result = await sync.execute({ sourceId: 'corp', mode });
    if ('skipped' in result) throw new Error(result.skipped);
    expect(result.status).toBe('succeeded');
    await pipeline.drain();
  };
  const set = (n: number, attribute: string, value: string) => `dn: ${userDn(n)}\nchangetype: modify\nreplace: ${attribute}\n${attribute}: ${value}\n`;

  beforeAll(async () => {
    // user n is in group ((n - 1) mod 3) + 1: users 1 and 4 in group1.
    slapd = await startSlapd({ users: 6, groups: 3, timestamp: '20200101000000Z' });
    await slapd.ldapModify(
      [
        set(1, 'departmentNumber', 'Analytics') + '-\nreplace: employeeType\nemployeeType: Employee\n',
        set(2, 'departmentNumber', 'Analytics'),
        set(3, 'employeeType', 'Contractor'),
        set(5, 'employeeType', 'Intern'),
        set(6, 'l', 'Berlin'),
      ].join('\n'),
    );
    store = await openTestStore('postgres');
    pipeline = await createPipeline(
      store.db,
      {
        organization: { internalDomains: ['example.com'] },
        sources: [
          {
            id: 'corp',
            kind: 'ldap',
            url: slapd.url,
            bindDn: slapd.bindDn,
            passwordEnv: 'LDAP_PW',
            users: { baseDn: slapd.peopleDn },
            groups: { baseDn: slapd.groupsDn },
            // The mapping (both are inetOrgPerson defaults too), and `site` beyond the defaults.
            attributes: { department: 'departmentNumber', employeeType: 'employeeType', site: 'l' },
          },
        ],
        workspaces: [
          {
            id: 'analytics',
            name: 'Analytics',
            roles: {
              admin: [{ source: 'corp', group: groupDn(1) }],
              editor: [{ source: 'corp', attribute: 'department', equals: 'Analytics' }],
              viewer: [
                { source: '*', attribute: 'employeeType', in: ['Employee', 'Contractor'] },
                { source: 'corp', attribute: 'site', equals: 'berlin' },
              ],
            },
          },
        ],
      },
      'ldapattr',
    );
    pipeline.startWorker();
    queue = new Queue('sync', { connection: pipeline.redis, prefix: pipeline.prefix });
    sync = new SyncService({ db: store.db, ingest: pipeline.ingest, config: pipeline.config, env: { LDAP_PW: slapd.password }, queue, logger: pino({ level: 'silent' }) });
  }, 60_000);

  afterAll(async () => {
    await queue?.close();
    await pipeline?.close();
    await store?.close();
    await slapd?.stop();
  });

  it('grants by attribute value, the highest role winning across group and attribute rules', async () => {
    await run('full');
    expect(await grants()).toEqual({
      // group1, department Analytics and employeeType Employee: the group's admin wins.
      user1: `admin active (admin: corp/${groupDn(1)})`,
      user2: 'editor active (editor: corp/department=Analytics)',
      user3: 'viewer active (viewer: */employeeType in [Employee, Contractor])',
      user4: `admin active (admin: corp/${groupDn(1)})`,
      // user5 is an Intern: no rule.
      user6: 'viewer active (viewer: corp/site=berlin)',
    });
    const stored = await store.db.query<{ attributes: Record<string, unknown> }>(`select attributes from source_users where user_name = 'user1'`);
    expect(stored.rows[0]?.attributes).toEqual({ dn: userDn(1), departmentNumber: 'Analytics', employeeType: 'Employee' });
  });

  it('a changed attribute value moves the role at the next sync', async () => {
    await slapd.ldapModify([set(2, 'departmentNumber', 'Sales'), set(3, 'departmentNumber', 'ANALYTICS'), set(5, 'employeeType', 'employee')].join('\n'));
    await run('delta');
    expect(await grants()).toMatchObject({
      user2: 'editor suspended (editor: corp/department=Analytics)',
      user3: 'editor active (editor: corp/department=Analytics)',
      user5: 'viewer active (viewer: */employeeType in [Employee, Contractor])',
    });
    // Nothing else changed: nothing else was written.
    expect(await grants()).toMatchObject({ user1: `admin active (admin: corp/${groupDn(1)})`, user6: 'viewer active (viewer: corp/site=berlin)' });
  });
});
