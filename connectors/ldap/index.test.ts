/** The connector against a real slapd (test/helpers/slapd.ts): 5,000 users, 20 groups, extras. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, ConnectorPage, SourceGroup, SourceUser } from '../../src/connector/connector.js';
import { ConnectorError, RetryableConnectorError } from '../../src/connector/errors.js';
import { generatedMembers, groupDn, startSlapd, userDn, type Slapd } from '../../test/helpers/slapd.js';
import { ldapSourceConfig } from './config.js';
import { createLdapConnector } from './index.js';
import { collect } from '../../test/helpers/pages.js';

const USERS = 5000;
const GROUPS = 20;
const B = 'dc=example,dc=com';
const members = (...n: number[]) => n.map((i) => `member: ${userDn(i)}\n`).join('');

// Nested groups with a cycle (A ⊃ B ⊃ A, B ⊃ C), a 5,000-member group, posixGroup,
// groupOfUniqueNames, a member DN spelled differently, users without / with a duplicate mail.
const EXTRA = `
dn: cn=nest-a,ou=groups,${B}
objectClass: groupOfNames
cn: nest-a
${members(1)}member: cn=nest-b,ou=groups,${B}
createTimestamp: 20200101000000Z
modifyTimestamp: 20200101000000Z

dn: cn=nest-b,ou=groups,${B}
objectClass: groupOfNames
cn: nest-b
${members(2)}member: CN=Nest-A, OU=Groups,${B}
member: cn=nest-c,ou=groups,${B}
createTimestamp: 20200101000000Z
modifyTimestamp: 20200101000000Z

dn: cn=nest-c,ou=groups,${B}
objectClass: groupOfNames
cn: nest-c
${members(3)}createTimestamp: 20200101000000Z
modifyTimestamp: 20200101000000Z

dn: cn=big,ou=groups,${B}
objectClass: groupOfNames
cn: big
${Array.from({ length: USERS }, (_, i) => `member: ${userDn(i + 1)}\n`).join('')}createTimestamp: 20200101000000Z
modifyTimestamp: 20200101000000Z

dn: cn=posix,ou=groups,${B}
objectClass: posixGroup
cn: posix
gidNumber: 5000
memberUid: user5
memberUid: USER6
memberUid: nobody
createTimestamp: 20200101000000Z
modifyTimestamp: 20200101000000Z

dn: cn=unique,ou=groups,${B}
objectClass: groupOfUniqueNames
cn: unique
uniqueMember: UID=User7,OU=People,DC=Example,DC=Com
uniqueMember: uid=nomail,ou=people,${B}
createTimestamp: 20200101000000Z
modifyTimestamp: 20200101000000Z

dn: uid=nomail,ou=people,${B}
objectClass: inetOrgPerson
uid: nomail
cn: No Mail
sn: Mail
createTimestamp: 20200101000000Z
modifyTimestamp: 20200101000000Z

dn: uid=dup,ou=people,${B}
objectClass: inetOrgPerson
uid: dup
cn: Duplicate
sn: Dup
mail: USER10@example.com
createTimestamp: 20200101000000Z
modifyTimestamp: 20200101000000Z
`;

let slapd: Slapd;

function connector(overrides: Record<string, unknown> = {}, env?: Record<string, string>) {
  const config = ldapSourceConfig.parse({
    id: 'corp-ldap',
    kind: 'ldap',
    url: slapd.url,
    bindDn: slapd.bindDn,
    passwordEnv: 'LDAP_BIND_PASSWORD',
    users: { baseDn: slapd.peopleDn, filter: '(objectClass=inetOrgPerson)' },
    groups: { baseDn: slapd.groupsDn },
    pageSize: 1000,
    ...overrides,
  });
  return createLdapConnector(config, { env: env ?? { LDAP_BIND_PASSWORD: slapd.password }, sourceId: 'corp-ldap' });
}

async function failure(pages: AsyncIterable<ConnectorPage>): Promise<ConnectorError> {
  try {
    await collect(pages);
  } catch (err) {
    return err as ConnectorError;
  }
  throw new Error('expected the listing to fail');
}

function deltaOf(c: Connector, cursor: string): AsyncIterable<ConnectorPage> {
  if (!c.delta) throw new Error('the LDAP connector offers deltas');
  return c.delta({ cursor });
}

const usersOf = (pages: ConnectorPage[]) => pages.flatMap((p) => p.users ?? []);
const groupsOf = (pages: ConnectorPage[]) => pages.flatMap((p) => p.groups ?? []);

beforeAll(async () => {
  slapd = await startSlapd({ users: USERS, groups: GROUPS, timestamp: '20200101000000Z', extraLdif: EXTRA });
});

afterAll(async () => {
  await slapd?.stop();
});

describe('full listing', () => {
  let pages: ConnectorPage[];
  let users: SourceUser[];
  let groups: Map<string, SourceGroup>;
  let idOf: (userName: string) => string;

  beforeAll(async () => {
    const c = connector();
    pages = await collect(c.full());
    await c.close?.();
    users = usersOf(pages);
    groups = new Map(groupsOf(pages).map((g) => [g.displayName, g]));
    const ids = new Map(users.map((u) => [u.userName, u.externalId]));
    idOf = (name) => ids.get(name) ?? `missing:${name}`;
  });

  it('yields every user once, page by page, users before groups, the cursor on the last page only', () => {
    expect(users).toHaveLength(USERS);
    expect(new Set(users.map((u) => u.externalId)).size).toBe(USERS);
    const userPages = pages.filter((p) => p.users?.length);
    expect(userPages.length).toBeGreaterThanOrEqual(USERS / 1000);
    for (const p of userPages) expect(p.users?.length).toBeLessThanOrEqual(1000);
    const firstGroupPage = pages.findIndex((p) => p.groups?.length);
    expect(pages.slice(firstGroupPage).some((p) => p.users?.length)).toBe(false);
    expect(pages.filter((p) => p.cursor !== undefined)).toEqual([pages[pages.length - 1]]);
    expect(JSON.parse(pages[pages.length - 1]?.cursor as string)).toMatchObject({ v: 1, kind: 'time' });
  });

  it('normalises user records', () => {
    const u = users.find((x) => x.userName === 'user42');
    expect(u).toEqual({
      externalId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      userName: 'user42',
      email: 'user42@example.com',
      emails: [{ value: 'user42@example.com', primary: true }],
      givenName: 'Given42',
      familyName: 'Family42',
      displayName: 'User 42',
      company: 'Example Corp',
      active: true,
      attributes: { dn: userDn(42) },
    });
  });

  it('skips the entry without mail and the duplicate mail with stable reasons', () => {
    const skipped = pages.flatMap((p) => p.skipped ?? []);
    expect(skipped.map((s) => s.reason).sort()).toEqual(['duplicate-email', 'no-email']);
    expect(skipped.find((s) => s.reason === 'no-email')?.detail).toBe(`uid=nomail,ou=people,${B}`);
    expect(skipped.find((s) => s.reason === 'duplicate-email')?.detail).toContain('uid=dup');
    expect(users.find((u) => u.userName === 'user10')).toBeDefined();
    expect(users.find((u) => u.userName === 'dup' || u.userName === 'nomail')).toBeUndefined();
  });

  it('maps generated groupOfNames with their members, cn as name and the DN as alias', () => {
    for (const g of [1, 7, 20]) {
      const group = groups.get(`group${g}`);
      expect(group?.aliases).toEqual([groupDn(g)]);
      expect(group?.externalId).toMatch(/^[0-9a-f-]{36}$/);
      expect(group?.memberExternalIds).toEqual(generatedMembers(g, { users: USERS, groups: GROUPS }).map((n) => idOf(`user${n}`)).sort());
    }
  });

  it('flattens nested groups through a cycle', () => {
    const abc = [idOf('user1'), idOf('user2'), idOf('user3')].sort();
    expect(groups.get('nest-a')?.memberExternalIds).toEqual(abc);
    expect(groups.get('nest-b')?.memberExternalIds).toEqual(abc);
    expect(groups.get('nest-c')?.memberExternalIds).toEqual([idOf('user3')]);
  });

  it('reads a group of 5,000 members', () => {
    expect(groups.get('big')?.memberExternalIds).toHaveLength(USERS);
  });

  it('resolves posixGroup memberUid and groupOfUniqueNames (differently spelled DNs, skipped users left out)', () => {
    expect(groups.get('posix')?.memberExternalIds).toEqual([idOf('user5'), idOf('user6')].sort());
    expect(groups.get('unique')?.memberExternalIds).toEqual([idOf('user7')]);
  });

  it('pages groups too', () => {
    expect(groups.size).toBe(GROUPS + 6);
  });
});

describe('delta', () => {
  it('sees changed users and re-reads changed groups (and the groups nesting them) with full member lists', async () => {
    const c = connector();
    const full = await collect(c.full());
    const cursor = full[full.length - 1]?.cursor as string;
    const ids = new Map(usersOf(full).map((u) => [u.userName, u.externalId]));
    const id = (n: string) => ids.get(n) as string;

    await slapd.ldapModify(
      `dn: ${userDn(3)}\nchangetype: modify\nreplace: sn\nsn: Changed\n\n` +
        `dn: ${groupDn(2)}\nchangetype: modify\nadd: member\nmember: ${userDn(4)}\n\n` +
        `dn: cn=nest-c,ou=groups,${B}\nchangetype: modify\nadd: member\nmember: ${userDn(9)}\n`,
    );

    const delta = await collect(deltaOf(c, cursor));
    await c.close?.();
    const users = usersOf(delta);
    expect(users.find((u) => u.userName === 'user3')?.familyName).toBe('Changed');
    expect(users.find((u) => u.userName === 'user1')).toBeUndefined();
    expect(users.length).toBeLessThan(5);

    const groups = new Map(groupsOf(delta).map((g) => [g.displayName, g]));
    expect([...groups.keys()].sort()).toEqual(['group2', 'nest-a', 'nest-b', 'nest-c']);
    const expected2 = [...generatedMembers(2, { users: USERS, groups: GROUPS }), 4].map((n) => id(`user${n}`)).sort();
    expect(groups.get('group2')?.memberExternalIds).toEqual(expected2);
    expect(groups.get('nest-a')?.memberExternalIds).toEqual([id('user1'), id('user2'), id('user3'), id('user9')].sort());
    expect(groups.get('nest-c')?.memberExternalIds).toEqual([id('user3'), id('user9')].sort());

    const next = delta[delta.length - 1]?.cursor;
    expect(next).toBeDefined();
    expect(Date.parse(JSON.parse(next as string).time)).toBeGreaterThanOrEqual(Date.parse(JSON.parse(cursor).time));
  });

  it('an empty delta still returns a cursor', async () => {
    const c = connector();
    const cursor = JSON.stringify({ v: 1, kind: 'time', time: new Date(Date.now() + 3_600_000).toISOString() });
    const pages = await collect(deltaOf(c, cursor));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.cursor).toBeDefined();
    expect(pages[0]?.users ?? []).toEqual([]);
  });

  it('refuses a cursor it did not write', async () => {
    const err = await failure(deltaOf(connector(), 'deltaLink=https://graph.microsoft.com/…'));
    expect(err.code).toBe('connector_config');
  });
});

describe('failures', () => {
  it('a wrong password is connector_auth naming the source and bind DN, not the password', async () => {
    const wrong = 'not-the-password-0815';
    const err = await failure(connector({}, { LDAP_BIND_PASSWORD: wrong }).full());
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.code).toBe('connector_auth');
    expect(err.sourceId).toBe('corp-ldap');
    expect(err.message).toContain('corp-ldap');
    expect(err.message).toContain(slapd.bindDn);
    expect(err.message).not.toContain(wrong);
    expect(JSON.stringify(err)).not.toContain(wrong);
  });

  it('a missing password variable is connector_config before connecting', async () => {
    const err = await failure(connector({}, {}).full());
    expect(err.code).toBe('connector_config');
    expect(err.message).toContain('LDAP_BIND_PASSWORD');
  });

  it('a refused connection is retryable', async () => {
    const err = await failure(connector({ url: 'ldap://127.0.0.1:1/', connectTimeoutMs: 1000 }).full());
    expect(err).toBeInstanceOf(RetryableConnectorError);
  });

  it('a server that stops answering mid-listing is connector_timeout', async () => {
    const c = connector({ pageSize: 500, timeoutMs: 400 });
    const it = c.full()[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value?.users?.length).toBe(500);
    await slapd.signal('SIGSTOP');
    try {
      const err = await it.next().then(
        () => undefined,
        (e: unknown) => e as ConnectorError,
      );
      expect(err?.code).toBe('connector_timeout');
      expect(err?.message).toMatch(/corp-ldap.*timed out/);
    } finally {
      await slapd.signal('SIGCONT');
      await c.close?.();
    }
  });

  it('abort stops the listing with an AbortError', async () => {
    const ac = new AbortController();
    const c = connector({ pageSize: 100 });
    let seen = 0;
    const err = await (async () => {
      try {
        for await (const p of c.full({ signal: ac.signal })) {
          seen += p.users?.length ?? 0;
          if (seen >= 300) ac.abort();
        }
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err?.name).toBe('AbortError');
    expect(seen).toBeLessThan(USERS);
  });

  it('a server killed mid-listing is a retryable error', async () => {
    // Last test in the file: this slapd is gone afterwards.
    const c = connector({ pageSize: 500 });
    const it = c.full()[Symbol.asyncIterator]();
    await it.next();
    await slapd.signal('SIGKILL');
    const err = await it.next().then(
      () => undefined,
      (e: unknown) => e as ConnectorError,
    );
    expect(err).toBeInstanceOf(RetryableConnectorError);
    expect(err?.message).toContain('corp-ldap');
  });
});
