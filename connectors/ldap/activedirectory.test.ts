/**
 * The connector with the `activedirectory` preset against a fake session (AD cannot run here):
 * objectGUID, userAccountControl, UPN fallbacks, range retrieval, primaryGroupID, nesting, and
 * uSNChanged deltas.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectorPage, SourceGroup } from '../../src/connector/connector.js';
import type { LdapSession, SearchRequest } from './client.js';
import { ldapSourceConfig } from './config.js';
import { normalizeDn } from './dn.js';
import type { LdapEntry } from './entry.js';
import { createLdapConnector } from './index.js';
import { collect } from '../../test/helpers/pages.js';

const BASE = 'DC=corp,DC=example';
const DC1 = `CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,${BASE}`;
const userDn = (n: string) => `CN=${n},OU=Staff,${BASE}`;
const groupDn = (n: string) => `CN=${n},OU=Groups,${BASE}`;

let seq = 0;
function guid(): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(++seq, 0);
  return b;
}
const guidText = (b: Buffer) => `${b.readUInt32LE(0).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000`;

function sid(rid: number): Buffer {
  const b = Buffer.alloc(8 + 4 * 5);
  b.writeUInt8(1, 0);
  b.writeUInt8(5, 1);
  b.writeUIntBE(5, 2, 6);
  [21, 7, 8, 9, rid].forEach((v, i) => b.writeUInt32LE(v, 8 + 4 * i));
  return b;
}

function user(name: string, o: { mail?: string; uac?: number; pg?: number } = {}): LdapEntry {
  return {
    dn: userDn(name),
    objectGUID: guid(),
    sAMAccountName: name.toLowerCase(),
    userPrincipalName: `${name.toLowerCase()}@corp.example`,
    ...(o.mail ? { mail: o.mail } : {}),
    givenName: name,
    sn: 'Test',
    userAccountControl: String(o.uac ?? 512),
    primaryGroupID: String(o.pg ?? 513),
  };
}

function group(name: string, rid: number, member: string[]): LdapEntry {
  return { dn: groupDn(name), objectGUID: guid(), objectSid: sid(rid), cn: name, objectClass: ['top', 'group'], member };
}

const bulk = Array.from({ length: 1600 }, (_, i) => user(`u${i}`));
const ann = user('Ann', { mail: 'ann@corp.example' });
const bob = user('Bob', { uac: 514 });
const cid = user('Cid', { pg: 1105 });
const users = [ann, bob, cid, ...bulk];
const bigMembers = bulk.map((u) => u.dn);
const groups = [
  group('Domain Users', 513, []),
  group('Special', 1105, []),
  // More members than MaxValRange: AD sends member;range=0-1499 and the connector asks for the rest.
  { ...group('Big', 3000, []), member: [], 'member;range=0-1499': bigMembers.slice(0, 1500) } as LdapEntry,
  group('Outer', 3001, [ann.dn, groupDn('Inner')]),
  group('Inner', 3002, [groupDn('Outer'), cid.dn]),
];
const byDn = new Map([...users, ...groups].map((e) => [normalizeDn(e.dn), e]));

/** A fake AD: answers the searches the connector makes, records them. */
function fakeAd(dc = DC1) {
  const searches: SearchRequest[] = [];
  const reads: string[][] = [];
  const session: LdapSession = {
    async *searchPages(r) {
      searches.push(r);
      let list: LdapEntry[];
      const member = /\(member=([^)]*)\)/.exec(r.filter)?.[1];
      if (r.filter.includes('uSNChanged>=5001')) list = r.base.startsWith('OU=Staff') ? [cid] : [groups[4] as LdapEntry];
      else if (member) list = groups.filter((g) => ((g['member'] as string[] | undefined) ?? []).some((m) => normalizeDn(m) === normalizeDn(member)));
      else list = r.base.startsWith('OU=Staff') ? users : groups;
      for (let i = 0; i < list.length; i += 500) yield list.slice(i, i + 500);
    },
    async search() {
      throw new Error('not used');
    },
    async read(dn, attributes) {
      reads.push(attributes);
      if (dn === '') return { dn: '', currentTime: '20261124215855.0Z', highestCommittedUSN: '5000', dsServiceName: dc };
      const range = /^member;range=(\d+)-\*$/.exec(attributes[0] ?? '');
      if (range) {
        const start = Number(range[1]);
        return { dn, [attributes[0] as string]: [], [`member;range=${start}-*`]: bigMembers.slice(start) };
      }
      return byDn.get(normalizeDn(dn));
    },
    async close() {},
  };
  return { session, searches, reads };
}

function connector(fake: ReturnType<typeof fakeAd>) {
  const config = ldapSourceConfig.parse({
    id: 'corp-ad',
    kind: 'ldap',
    preset: 'activedirectory',
    url: 'ldaps://dc1.corp.example',
    bindDn: 'CN=svc-idsync,OU=Service,DC=corp,DC=example',
    passwordEnv: 'AD_PASSWORD',
    users: { baseDn: `OU=Staff,${BASE}` },
    groups: { baseDn: `OU=Groups,${BASE}` },
    pageSize: 500,
  });
  return createLdapConnector(config, { env: { AD_PASSWORD: 'x' }, sourceId: 'corp-ad', connect: async () => fake.session });
}

const idOf = (e: LdapEntry) => guidText(e['objectGUID'] as Buffer);

describe('activedirectory preset end to end (fake DC)', () => {
  it('full: GUIDs, account state, UPN fallbacks, ranged and primary-group membership, nesting', async () => {
    const fake = fakeAd();
    const pages = await collect(connector(fake).full());
    const us = pages.flatMap((p) => p.users ?? []);
    expect(us).toHaveLength(users.length);
    expect(us.find((u) => u.externalId === idOf(ann))).toMatchObject({ userName: 'ann@corp.example', email: 'ann@corp.example', active: true });
    expect(us.find((u) => u.externalId === idOf(bob))).toMatchObject({ userName: 'bob@corp.example', email: 'bob@corp.example', active: false });

    const gs = new Map<string, SourceGroup>(pages.flatMap((p) => p.groups ?? []).map((g) => [g.displayName, g]));
    expect(gs.get('Big')?.memberExternalIds).toEqual(bulk.map(idOf).sort());
    expect(gs.get('Domain Users')?.memberExternalIds).toEqual([ann, bob, ...bulk].map(idOf).sort());
    expect(gs.get('Special')?.memberExternalIds).toEqual([idOf(cid)]);
    expect(gs.get('Outer')?.memberExternalIds).toEqual([idOf(ann), idOf(cid)].sort());
    expect(gs.get('Inner')?.memberExternalIds).toEqual([idOf(ann), idOf(cid)].sort());
    expect(gs.get('Outer')?.aliases).toEqual([groupDn('Outer')]);

    expect(fake.reads).toContainEqual(['member;range=1500-*']);
    expect(fake.searches[0]?.attributes).toEqual(expect.arrayContaining(['objectGUID', 'userPrincipalName', 'userAccountControl', 'primaryGroupID']));
    expect(fake.searches[0]?.binaryAttributes).toEqual(['objectGUID', 'objectSid']);
    expect(fake.searches[0]?.filter).toBe('(&(objectCategory=person)(objectClass=user))');
    expect(JSON.parse(pages[pages.length - 1]?.cursor as string)).toEqual({ v: 1, kind: 'usn', usn: '5000', dc: DC1, time: '2026-11-24T21:58:55.000Z' });
  });

  it('delta on the same DC asks for uSNChanged > the cursor and re-reads the changed group and its parents', async () => {
    const fake = fakeAd();
    const cursor = JSON.stringify({ v: 1, kind: 'usn', usn: '5000', dc: DC1, time: '2026-11-24T21:00:00.000Z' });
    const c = connector(fake);
    const pages = await collect(c.delta?.({ cursor }) ?? (async function* () {})());
    expect(fake.searches[0]?.filter).toBe('(&(&(objectCategory=person)(objectClass=user))(uSNChanged>=5001))');
    expect(pages.flatMap((p) => p.users ?? []).map((u) => u.externalId)).toEqual([idOf(cid)]);
    const gs = pages.flatMap((p) => p.groups ?? []);
    expect(gs.map((g) => g.displayName).sort()).toEqual(['Inner', 'Outer']);
    expect(gs.find((g) => g.displayName === 'Outer')?.memberExternalIds).toEqual([idOf(ann), idOf(cid)].sort());
  });

  it('delta against another DC falls back to whenChanged minus the overlap', async () => {
    const fake = fakeAd(DC1.replace('DC1', 'DC2'));
    const cursor = JSON.stringify({ v: 1, kind: 'usn', usn: '5000', dc: DC1, time: '2026-11-24T21:00:00.000Z' });
    await collect(connector(fake).delta?.({ cursor }) ?? (async function* () {})());
    expect(fake.searches[0]?.filter).toBe('(&(&(objectCategory=person)(objectClass=user))(whenChanged>=20261124205900.0Z))');
  });
});
