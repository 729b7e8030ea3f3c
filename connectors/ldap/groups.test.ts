import { describe, expect, it } from 'vitest';
import { normalizeDn } from './dn.js';
import type { LdapEntry } from './entry.js';
import { completeGroup, GroupGraph, transitiveUserIds, UserIndex, type GroupNode } from './groups.js';
import { groupAttributes, mapGroupEntry, mapUserEntry, type UserMapping } from './map.js';
import { activeDirectoryPreset, userAttributeMap } from './presets.js';
import { readAllValues, rangedValues, type ReadEntry } from './range.js';

const preset = activeDirectoryPreset;
const mapping: UserMapping = { preset, fields: userAttributeMap(preset, undefined) };
const BASE = 'DC=corp,DC=example';

let guidSeq = 0;
function guid(): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(++guidSeq, 0);
  return b;
}

function sid(rid: number): Buffer {
  const b = Buffer.alloc(8 + 4 * 5);
  b.writeUInt8(1, 0);
  b.writeUInt8(5, 1);
  b.writeUIntBE(5, 2, 6);
  [21, 11, 22, 33, rid].forEach((v, i) => b.writeUInt32LE(v, 8 + 4 * i));
  return b;
}

const userDn = (name: string) => `CN=${name},OU=Staff,${BASE}`;
const groupDn = (name: string) => `CN=${name},OU=Groups,${BASE}`;

function adUser(name: string, primaryGroupID = 513): LdapEntry {
  return {
    dn: userDn(name),
    objectGUID: guid(),
    userPrincipalName: `${name.toLowerCase()}@corp.example`,
    sAMAccountName: name.toLowerCase(),
    userAccountControl: '512',
    primaryGroupID: String(primaryGroupID),
  };
}

function adGroup(name: string, members: string[], rid = 2000 + ++guidSeq): LdapEntry {
  return { dn: groupDn(name), objectGUID: guid(), objectSid: sid(rid), cn: name, objectClass: ['top', 'group'], member: members };
}

function indexOf(entries: LdapEntry[]): { index: UserIndex; idOf: Map<string, string> } {
  const index = new UserIndex();
  const idOf = new Map<string, string>();
  for (const e of entries) {
    const r = mapUserEntry(e, mapping);
    if (!r.ok) throw new Error(r.skipped.reason);
    index.add(r.record);
    idOf.set(e['sAMAccountName'] as string, r.record.user.externalId);
  }
  return { index, idOf };
}

async function node(entry: LdapEntry, read: ReadEntry): Promise<GroupNode> {
  const m = mapGroupEntry(entry, preset);
  if (!m.ok) throw new Error(m.skipped.reason);
  return (await completeGroup(m.record, read)).node;
}

const noRead: ReadEntry = async (dn) => {
  throw new Error(`unexpected read of ${dn}`);
};

describe('AD range retrieval', () => {
  const all = Array.from({ length: 4000 }, (_, i) => userDn(`u${i}`));
  /** A fake DC with MaxValRange 1500. */
  function rangedServer(requests: string[]): ReadEntry {
    return async (dn, attributes) => {
      const attr = attributes[0] as string;
      requests.push(attr);
      const m = /^member;range=(\d+)-\*$/.exec(attr);
      if (!m) throw new Error(`unexpected attribute ${attr}`);
      const start = Number(m[1]);
      const end = Math.min(start + 1500, all.length) - 1;
      const key = end === all.length - 1 ? `member;range=${start}-*` : `member;range=${start}-${end}`;
      // ldapts adds an empty placeholder under the requested name when the server used another.
      return { dn, [attr]: [], [key]: all.slice(start, end + 1) };
    };
  }

  it('reads member;range=0-1499 … until the range ending in *', async () => {
    const requests: string[] = [];
    const first = rangedValues({ dn: groupDn('big'), member: [], 'member;range=0-1499': all.slice(0, 1500) }, 'member');
    expect(first.next).toBe(1500);
    const values = await readAllValues(rangedServer(requests), groupDn('big'), 'member', first);
    expect(values).toEqual(all);
    expect(requests).toEqual(['member;range=1500-*', 'member;range=3000-*']);
  });

  it('completeGroup resolves a ranged group to all 4,000 users', async () => {
    const users = all.map((dn, i) => ({ ...adUser(`u${i}`, 513), dn }));
    const { index } = indexOf(users);
    const entry = { ...adGroup('big', []), member: [], 'member;range=0-1499': all.slice(0, 1500) } as LdapEntry;
    const n = await node(entry, rangedServer([]));
    const nodes = new Map([[n.record.dnKey, n]]);
    expect(transitiveUserIds(n.record.dnKey, nodes, index)).toHaveLength(4000);
  });

  it('stops when a range does not advance, and when the server returns nothing', async () => {
    const stuck: ReadEntry = async (dn) => ({ dn, 'member;range=0-1499': ['CN=x'] });
    await expect(readAllValues(stuck, 'CN=g', 'member', { values: [], next: 1500 })).rejects.toThrow(/did not advance/);
    const empty: ReadEntry = async (dn) => ({ dn, 'member;range=1500-*': [] });
    expect(await readAllValues(empty, 'CN=g', 'member', { values: ['a'], next: 1500 })).toEqual(['a']);
  });
});

describe('nesting and primary groups', () => {
  it('flattens nested groups, terminates on cycles (A ⊃ B ⊃ A), and loads groups outside the listing', async () => {
    const users = [adUser('Ann'), adUser('Bob'), adUser('Cid'), adUser('Dee')];
    const { index, idOf } = indexOf(users);
    const a = adGroup('A', [userDn('Ann'), groupDn('B')]);
    const b = adGroup('B', [userDn('Bob'), groupDn('A'), groupDn('Outside')]);
    const outside = adGroup('Outside', [userDn('Cid'), groupDn('A')]);
    const reads: string[] = [];
    const read: ReadEntry = async (dn) => {
      reads.push(dn);
      if (normalizeDn(dn) === normalizeDn(groupDn('Outside'))) return outside;
      if (normalizeDn(dn) === normalizeDn(userDn('Stranger'))) return { dn, objectClass: ['user'] };
      return undefined;
    };
    const graph = new GroupGraph(preset, index, read, groupAttributes(preset));
    const na = await node({ ...a, member: [...(a['member'] as string[]), userDn('Stranger')] }, read);
    const nb = await node(b, read);
    graph.add(na);
    graph.add(nb);
    expect(await graph.loadReachable([na, nb])).toEqual([]);
    const expected = [idOf.get('ann'), idOf.get('bob'), idOf.get('cid')].sort();
    expect(graph.transitiveUserIds(na.record.dnKey)).toEqual(expected);
    expect(graph.transitiveUserIds(nb.record.dnKey)).toEqual(expected);
    expect(graph.transitiveUserIds(normalizeDn(groupDn('Outside')))).toEqual(expected);
    // Each unknown DN is looked up once: the outside group and the stranger (not a group).
    expect(reads.sort()).toEqual([normalizeDn(groupDn('Outside')), normalizeDn(userDn('Stranger'))].sort());
    await graph.loadReachable([na, nb]);
    expect(reads).toHaveLength(2);
  });

  it("adds users whose primaryGroupID is the group's RID, also through nesting", async () => {
    const users = [adUser('Ann', 513), adUser('Bob', 513), adUser('Cid', 1105)];
    const { index, idOf } = indexOf(users);
    const domainUsers = adGroup('Domain Users', [], 513); // AD lists no primary members in `member`
    const special = adGroup('Special', [userDn('Ann')], 1105);
    const everyone = adGroup('Everyone', [groupDn('Domain Users')]);
    const nodes = new Map<string, GroupNode>();
    for (const g of [domainUsers, special, everyone]) {
      const n = await node(g, noRead);
      nodes.set(n.record.dnKey, n);
    }
    const id = (k: string) => idOf.get(k) as string;
    expect(transitiveUserIds(normalizeDn(groupDn('Domain Users')), nodes, index)).toEqual([id('ann'), id('bob')].sort());
    expect(transitiveUserIds(normalizeDn(groupDn('Special')), nodes, index)).toEqual([id('ann'), id('cid')].sort());
    expect(transitiveUserIds(normalizeDn(groupDn('Everyone')), nodes, index)).toEqual([id('ann'), id('bob')].sort());
  });

  it('does not look up skipped users and reports member values that are not DNs', async () => {
    const { index } = indexOf([adUser('Ann')]);
    index.exclude(normalizeDn(userDn('NoMail')));
    const graph = new GroupGraph(preset, index, noRead, groupAttributes(preset));
    const m = mapGroupEntry(adGroup('G', [userDn('Ann'), userDn('NoMail'), 'garbage']), preset);
    if (!m.ok) throw new Error('mapping failed');
    const { node: n, skipped } = await completeGroup(m.record, noRead);
    expect(skipped).toEqual([expect.objectContaining({ reason: 'invalid-member-dn', externalId: m.record.externalId })]);
    graph.add(n);
    expect(await graph.loadReachable([n])).toEqual([]);
    expect(graph.transitiveUserIds(n.record.dnKey)).toHaveLength(1);
  });
});

describe('UserIndex: posixGroup memberUid', () => {
  const record = (dn: string, uid: string | undefined, externalId: string) => ({
    user: { externalId, userName: uid ?? externalId, email: `${externalId}@example.com`, active: true },
    dnKey: normalizeDn(dn),
    uid,
    primaryGroupId: undefined,
  });

  it('finds users named uid=<uid> under any parent by building their DN, without a map entry each', () => {
    const index = new UserIndex();
    index.add(record('uid=alice,ou=People,dc=example,dc=com', 'alice', 'a'));
    index.add(record('uid=bob,ou=People,dc=example,dc=com', 'bob', 'b'));
    index.add(record('UID=carol, OU=Contractors,dc=example,dc=com', 'carol', 'c'));
    expect(index.byUid.size).toBe(0);
    expect([...index.uidParents].sort()).toEqual(['ou=contractors,dc=example,dc=com', 'ou=people,dc=example,dc=com']);
    expect(['alice', 'bob', 'carol', 'dave'].map((u) => index.idForUid(u))).toEqual(['a', 'b', 'c', undefined]);
  });

  it('keeps a map entry for users named otherwise, and never finds a user through a DN its uid does not match', () => {
    const index = new UserIndex();
    index.add(record('uid=alice,ou=people,dc=example,dc=com', 'alice', 'a'));
    index.add(record('cn=Erin Example,ou=people,dc=example,dc=com', 'erin', 'e'));
    // Named uid=frank, but its uid is fred: "frank" must not resolve to it.
    index.add(record('uid=frank,ou=people,dc=example,dc=com', 'fred', 'f'));
    // A uid that a DN would have to escape.
    index.add(record('uid=g\\+h,ou=people,dc=example,dc=com', 'g+h', 'g'));
    // No uid at all.
    index.add(record('uid=henry,ou=people,dc=example,dc=com', undefined, 'h'));
    expect([...index.byUid.keys()].sort()).toEqual(['erin', 'fred', 'g+h']);
    expect(['alice', 'erin', 'fred', 'frank', 'g+h', 'henry'].map((u) => index.idForUid(u))).toEqual(['a', 'e', 'f', undefined, 'g', undefined]);
  });

  it('resolves a posixGroup through idForUid', () => {
    const index = new UserIndex();
    index.add(record('uid=alice,ou=people,dc=example,dc=com', 'alice', 'a'));
    index.add(record('cn=Erin,ou=people,dc=example,dc=com', 'erin', 'e'));
    const group: GroupNode = {
      record: { externalId: 'g', displayName: 'posix', dn: 'cn=posix,ou=groups', dnKey: 'cn=posix,ou=groups', memberDnValues: [], memberUids: ['alice', 'erin', 'nobody'], rid: undefined },
      memberDnKeys: [],
    };
    expect(transitiveUserIds('cn=posix,ou=groups', new Map([['cn=posix,ou=groups', group]]), index)).toEqual(['a', 'e']);
  });
});
