/**
 * Hostile entries in a real slapd, through the LDAP connector and the whole sync engine on both
 * stores: very long values, DNs with escaped commas, quotes, unicode and filter metacharacters,
 * NUL and control characters in text attributes, binary data in an attribute mapped as text,
 * member loops, members pointing nowhere. Every entry is either synced correctly or skipped with a
 * counted reason; the run never fails and the process never crashes. Deltas look nested groups up
 * by DNs holding `*()\` and NUL, escaped per RFC 4515.
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLdapConnector, ldapSourceConfig } from '../../connectors/ldap/index.js';
import { parseConfig } from '../../src/config/load.js';
import type { ConnectorPage } from '../../src/connector/connector.js';
import type { SyncRunView } from '../../src/store/runs/sync-runs.js';
import { SyncService } from '../../src/sync/sync-service.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';
import { collect } from '../helpers/pages.js';
import { createPipeline, type Pipeline } from '../helpers/pipeline.js';
import { startSlapd, type Slapd } from '../helpers/slapd.js';

const B = 'dc=example,dc=com';
const P = `ou=people,${B}`;
const G = `ou=groups,${B}`;
const STAMP = 'createTimestamp: 20200101000000Z\nmodifyTimestamp: 20200101000000Z\n';
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
/** Random letters and digits: incompressible, so PostgreSQL cannot squeeze them under an index's limit. */
const noise = (n: number) => randomBytes(n).toString('base64url').replace(/[-_]/g, 'x').slice(0, n);

const user = (rdn: string, lines: string) => `dn: ${rdn},${P}\nobjectClass: inetOrgPerson\n${lines}${STAMP}\n`;
const group = (rdn: string, lines: string, objectClass = 'groupOfNames') => `dn: ${rdn},${G}\nobjectClass: ${objectClass}\n${lines}${STAMP}\n`;

// Users that must sync, each with a DN that is hard to compare.
const COMMA = `cn=Smith\\, John,${P}`;
const QUOTE = `cn=O\\"Brien\\, Pat,${P}`;
const UNICODE = `cn=Zoë Ærø 名前,${P}`;
const SPECIALS = `cn=a*b(c)\\5Cd\\00e,${P}`;
// Groups whose DNs hold filter metacharacters and NUL: deltas look their parents up by DN.
const WEIRD = `ou=(weird)*\\5C group\\00,${G}`;

const HOSTILE = [
  user('uid=plain', 'uid: plain\ncn: Plain\nsn: P\nmail: plain@example.com\n'),
  user('uid=other', 'uid: other\ncn: Other\nsn: O\nmail: other@example.com\n'),
  user('cn=Smith\\, John', 'uid: sjohn\ncn: Smith, John\nsn: Smith\nmail: sjohn@example.com\n'),
  user('cn=O\\"Brien\\, Pat', 'uid: obrien\ncn: O"Brien, Pat\nsn: O"Brien\nmail: obrien@example.com\n'),
  user('cn=Zoë Ærø 名前', 'uid: zoe\ncn: Zoë Ærø 名前\nsn: Ærø\ngivenName: Zoë\nmail: zoe@example.com\n'),
  user('cn=a*b(c)\\5Cd\\00e', `uid: specials\ncn:: ${b64('a*b(c)\\d\0e')}\nsn: S\ndisplayName: a*b(c)\\d\nmail: specials@example.com\n`),
  // Control characters other than NUL in a name are text: kept as they are.
  user('uid=ctrl', 'uid: ctrl\ncn: Ctrl\nsn: C\ngivenName:: ' + b64('Tab\tand\u001bEsc') + '\nmail: ctrl@example.com\n'),
  // Very long values.
  user('uid=longuid', `uid: ${noise(6000)}\ncn: Long uid\nsn: L\nmail: longuid@example.com\n`),
  user('uid=longmail', `uid: longmail\ncn: Long mail\nsn: L\nmail: ${noise(5000)}@example.com\n`),
  user('uid=longname', `uid: longname\ncn: Long name\nsn: L\ndisplayName: ${noise(100_000)}\nmail: longname@example.com\n`),
  // NUL in text attributes.
  user('uid=nulname', `uid: nulname\ncn:: ${b64('Nul\0Name')}\nsn: N\nmail: nulname@example.com\n`),
  user('uid=nulmail', `uid: nulmail\ncn: Nul mail\nsn: N\nmail:: ${b64('nul\0mail@example.com')}\n`),
  user('uid=nuluid', `uid:: ${b64('nul\0uid')}\ncn: Nul uid\nsn: N\nmail: nuluid@example.com\n`),
  // Binary data (a JPEG's first bytes) in the attribute the source maps as the company.
  user('uid=binary', `uid: binary\ncn: Binary\nsn: B\nmail: binary@example.com\njpegPhoto:: ${b64(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]))}\n`),

  group(
    'cn=everyone',
    [
      'cn: everyone',
      `member: uid=plain,${P}`,
      // The same users as above, spelled otherwise: hex escapes, upper case, spaces, NFD.
      `member: CN=Smith\\2C John, OU=People,${B}`,
      `member: cn=O\\22Brien\\2c Pat,${P}`,
      `member: cn=zoe\u0308 ærø 名前,${P}`,
      `member: cn=A\\2Ab\\28C\\29\\5cD\\00E,${P}`,
      `member: uid=ctrl,${P}`,
      // Skipped users: left out without a second count.
      `member: uid=longuid,${P}`,
      `member: uid=nulmail,${P}`,
      // Pointing nowhere: a deleted user, another naming context.
      `member: uid=ghost,${P}`,
      'member: cn=somebody,dc=elsewhere,dc=org',
      // A nested group whose DN holds `*()\` and NUL.
      `member: ${WEIRD}`,
      '',
    ].join('\n'),
  ),
  // Loops: the weird group contains everyone and itself.
  group('ou=(weird)*\\5C group\\00', [`ou:: ${b64('(weird)*\\ group\0')}`, 'cn: weird', `member: uid=other,${P}`, 'member: cn=everyone,' + G, `member: ${WEIRD}`, ''].join('\n')),
  // A ring of three, each with one user.
  group('cn=ring-a', `cn: ring-a\nmember: uid=plain,${P}\nmember: cn=ring-b,${G}\n`),
  group('cn=ring-b', `cn: ring-b\nmember: uid=other,${P}\nmember: cn=ring-c,${G}\n`),
  group('cn=ring-c', `cn: ring-c\nmember: uid=ctrl,${P}\nmember: cn=ring-a,${G}\n`),
  // nameAndOptionalUID: a DN with a bit-string suffix.
  group('cn=unique', `cn: unique\nuniqueMember: uid=plain,${P}#'0101'B\n`, 'groupOfUniqueNames'),
  // memberUid values holding filter metacharacters, NUL and nothing known.
  group('cn=posix', `cn: posix\ngidNumber: 500\nmemberUid: other\nmemberUid: a*b(c)\\d\nmemberUid:: ${b64('x\0y')}\n`, 'posixGroup'),
  // Groups that cannot be stored: a name too long to index, a NUL in the name.
  group('ou=longname', `ou: longname\ncn: ${noise(3000)}\nmember: uid=plain,${P}\n`),
  group('cn=nul\\00group', `cn:: ${b64('nul\0group')}\nmember: uid=plain,${P}\n`),
].join('\n');

const EXPECTED_USERS = ['ctrl', 'obrien', 'other', 'plain', 'sjohn', 'specials', 'zoe'];
const EXPECTED_SKIPS = {
  'value-too-long': 4, // longuid, longmail, longname, the group with the long name
  'invalid-value': 5, // nulname, nulmail, nuluid, binary, nul group
  'dangling-member': 2, // uid=ghost, cn=somebody,dc=elsewhere
};

let slapd: Slapd;

beforeAll(async () => {
  slapd = await startSlapd({ users: 0, timestamp: '20200101000000Z', extraLdif: HOSTILE });
});
afterAll(async () => {
  await slapd?.stop();
});

describe.each(STORE_KINDS)('hostile LDAP entries through the sync engine on %s', (kind) => {
  let store: TestStore;
  let pipeline: Pipeline;
  let sync: SyncService;
  let queue: Queue;

  async function run(mode: 'full' | 'delta'): Promise<SyncRunView> {
    const result = await sync.execute({ sourceId: 'corp', mode });
    if ('skipped' in result) throw new Error(result.skipped);
    await pipeline.drain();
    return result;
  }
  const membersOf = async (name: string) =>
    (
      await store.db.query<{ user_name: string }>(
        `select u.user_name from source_group_members m
           join source_groups g on g.source_id = m.source_id and g.id = m.group_id
           join source_users u on u.source_id = m.source_id and u.id = m.user_id
          where g.source_id = 'corp' and g.display_name = $1 and g.deleted_at is null order by 1`,
        [name],
      )
    ).rows.map((r) => r.user_name);

  beforeAll(async () => {
    store = await openTestStore(kind);
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
            attributes: { company: 'jpegPhoto' },
            maxDeletes: '100%',
          },
        ],
        workspaces: [{ id: 'all', name: 'All', roles: { viewer: [{ source: 'corp', group: 'everyone' }] } }],
      },
      'ldaphostile',
    );
    pipeline.startWorker();
    queue = new Queue('sync', { connection: pipeline.redis, prefix: pipeline.prefix });
    sync = new SyncService({ db: store.db, ingest: pipeline.ingest, config: pipeline.config, env: { LDAP_PW: slapd.password }, queue, logger: pino({ level: 'silent' }) });
  }, 120_000);
  afterAll(async () => {
    await queue?.close();
    await pipeline?.close();
    await store?.close();
  });

  it('a full run succeeds: good entries synced, the others skipped and counted by reason', async () => {
    const r = await run('full');
    expect(r.status, JSON.stringify(r.error)).toBe('succeeded');
    expect(r.skippedReasons).toEqual(EXPECTED_SKIPS);
    const users = await store.db.query<{ user_name: string; display_name: string; given_name: string | null }>(
      `select user_name, display_name, given_name from source_users where source_id = 'corp' and deleted_at is null order by user_name`,
    );
    expect(users.rows.map((u) => u.user_name)).toEqual(EXPECTED_USERS);
    expect(users.rows.find((u) => u.user_name === 'specials')?.display_name).toBe('a*b(c)\\d');
    expect(users.rows.find((u) => u.user_name === 'ctrl')?.given_name).toBe('Tab\tand\u001bEsc');
    expect(users.rows.find((u) => u.user_name === 'zoe')?.display_name).toBe('Zoë Ærø 名前');
    expect(pipeline.failures).toEqual([]);
  });

  it('members spelled otherwise resolve; loops end; members pointing nowhere are left out', async () => {
    // everyone ⊃ weird ⊃ everyone: both hold every user either names.
    const all = ['ctrl', 'obrien', 'other', 'plain', 'sjohn', 'specials', 'zoe'];
    expect(await membersOf('everyone')).toEqual(all);
    expect(await membersOf('weird')).toEqual(all);
    expect(await membersOf('ring-a')).toEqual(['ctrl', 'other', 'plain']);
    expect(await membersOf('ring-c')).toEqual(['ctrl', 'other', 'plain']);
    expect(await membersOf('unique')).toEqual(['plain']);
    expect(await membersOf('posix')).toEqual(['other']);
    const granted = await store.db.query<{ email: string }>(
      `select p.email from memberships m join people p on p.id = m.person_id where m.workspace_id = 'all' and m.status = 'active' order by 1`,
    );
    expect(granted.rows.map((r) => r.email)).toEqual(all.map((u) => `${u}@example.com`));
  });

  it('a delta finds the parents of a changed group whose DN holds *()\\ and NUL', async () => {
    // A new user joins the weird group only: "everyone" (which contains it) must follow.
    await slapd.ldapModify(
      [
        `dn: uid=late-${kind},${P}\nchangetype: add\nobjectClass: inetOrgPerson\nuid: late-${kind}\ncn: Late\nsn: L\nmail: late-${kind}@example.com\n`,
        `dn: ${WEIRD}\nchangetype: modify\nadd: member\nmember: uid=late-${kind},${P}\n`,
      ].join('\n'),
    );
    try {
      const r = await run('delta');
      expect(r.status, JSON.stringify(r.error)).toBe('succeeded');
      expect(r.mode).toBe('delta');
      expect(await membersOf('weird')).toContain(`late-${kind}`);
      expect(await membersOf('everyone')).toContain(`late-${kind}`);
      expect(await membersOf('ring-a')).not.toContain(`late-${kind}`);
    } finally {
      // The next store's full run reads the directory as it was.
      await slapd.ldapModify(`dn: ${WEIRD}\nchangetype: modify\ndelete: member\nmember: uid=late-${kind},${P}\n\ndn: uid=late-${kind},${P}\nchangetype: delete\n`);
    }
  });
});

describe('filters built from config values (RFC 4515), full and delta', () => {
  /** Before every entry's modifyTimestamp: a delta from it sees the whole directory. */
  const OLD_CURSOR = JSON.stringify({ v: 1, kind: 'time', time: '2019-01-01T00:00:00.000Z' });

  async function userNames(filter: string, mode: 'full' | 'delta'): Promise<string[]> {
    const config = ldapSourceConfig.parse({ id: 'f', kind: 'ldap', url: slapd.url, bindDn: slapd.bindDn, passwordEnv: 'PW', users: { baseDn: slapd.peopleDn, filter }, groups: { baseDn: slapd.groupsDn } });
    const connector = createLdapConnector(config, { env: { PW: slapd.password }, sourceId: 'f' });
    try {
      const pages: ConnectorPage[] = await collect(mode === 'full' ? connector.full() : (connector.delta as NonNullable<typeof connector.delta>)({ cursor: OLD_CURSOR }));
      return pages.flatMap((p) => p.users ?? []).map((u) => u.userName).sort();
    } finally {
      await connector.close?.();
    }
  }

  it.each(['full', 'delta'] as const)('%s: a filter without its outer parentheses', async (mode) => {
    expect(await userNames('uid=plain', mode)).toEqual(['plain']);
  });

  it.each(['full', 'delta'] as const)('%s: escaped *()\\ and NUL in a configured value', async (mode) => {
    expect(await userNames('(cn=a\\2ab\\28c\\29\\5cd\\00e)', mode)).toEqual(['specials']);
    expect(await userNames('(&(objectClass=inetOrgPerson)(!(cn=a\\2ab\\28c\\29\\5cd\\00e))(mail=*@example.com)(!(uid=long*)))', mode)).toEqual(
      ['binary', 'ctrl', 'obrien', 'other', 'plain', 'sjohn', 'zoe'],
    );
  });

  it.each(['full', 'delta'] as const)('%s: a value written as escaped UTF-8', async (mode) => {
    expect(await userNames('(cn=Zo\\c3\\ab \\c3\\86r\\c3\\b8*)', mode)).toEqual(['zoe']);
    expect(await userNames('(cn=Zoë Ærø*)', mode)).toEqual(['zoe']);
  });

  it('a filter that is not one filter is refused when the config is read, with its path', () => {
    for (const filter of ['(uid=a)(uid=b)', '(&(uid=a)', '(objectGUID=\\a1\\b2)']) {
      expect(() => parseConfig({ sources: [{ id: 'f', kind: 'ldap', url: slapd.url, users: { baseDn: slapd.peopleDn, filter } }] }), filter).toThrow(/users\.filter/);
    }
  });
});
