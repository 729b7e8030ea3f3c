import { describe, expect, it } from 'vitest';
import type { LdapEntry } from './entry.js';
import { groupAttributes, mapGroupEntry, mapUserEntry, mapUserPage, SKIP_REASONS, userAttributes, type UserMapping } from './map.js';
import { attributeView, directoryAttributesOf } from '../../src/domain/source-attribute-views.js';
import { activeDirectoryPreset, openldapPreset, ruleAttributeOverrides, userAttributeMap } from './presets.js';

const openldap: UserMapping = { preset: openldapPreset, fields: userAttributeMap(openldapPreset, undefined) };
const ad: UserMapping = { preset: activeDirectoryPreset, fields: userAttributeMap(activeDirectoryPreset, undefined) };
const guid = Buffer.from('67452301ab89efcd0123456789abcdef', 'hex');

function person(n: number, extra: Partial<LdapEntry> = {}): LdapEntry {
  return {
    dn: `uid=user${n},ou=people,dc=example,dc=com`,
    entryUUID: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
    uid: `user${n}`,
    mail: `user${n}@example.com`,
    cn: `User ${n}`,
    sn: 'Family',
    givenName: 'Given',
    o: 'Example Corp',
    ...extra,
  } as LdapEntry;
}

describe('openldap users', () => {
  it('maps the preset attributes', () => {
    const r = mapUserEntry(person(1, { displayName: 'Preferred' }), openldap);
    expect(r.ok && r.record.user).toEqual({
      externalId: '00000000-0000-0000-0000-000000000001',
      userName: 'user1',
      email: 'user1@example.com',
      emails: [{ value: 'user1@example.com', primary: true }],
      givenName: 'Given',
      familyName: 'Family',
      displayName: 'Preferred',
      company: 'Example Corp',
      active: true,
      attributes: { dn: 'uid=user1,ou=people,dc=example,dc=com' },
    });
    expect(r.ok && r.record.dnKey).toBe('uid=user1,ou=people,dc=example,dc=com');
    expect(r.ok && r.record.uid).toBe('user1');
  });

  it('falls back from displayName to cn, reads multi-valued mail, attributes case-insensitively', () => {
    const entry = person(2, { mail: ['A@example.com', 'b@example.com', 'a@EXAMPLE.com'], ENTRYUUID: 'x' });
    delete entry['entryUUID'];
    const r = mapUserEntry(entry, openldap);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.record.user.displayName).toBe('User 2');
    expect(r.record.user.email).toBe('A@example.com');
    expect(r.record.user.emails).toEqual([{ value: 'A@example.com', primary: true }, { value: 'b@example.com' }]);
    expect(r.record.user.externalId).toBe('x');
  });

  it('honours config.attributes overrides without fallback', () => {
    const m: UserMapping = { preset: openldapPreset, fields: userAttributeMap(openldapPreset, { email: 'otherMail', displayName: 'cn' }) };
    expect(userAttributes(m)).toContain('otherMail');
    expect(userAttributes(m)).not.toContain('mail');
    const r = mapUserEntry(person(3, { otherMail: 'other@example.com', displayName: 'Ignored' }), m);
    expect(r.ok && r.record.user.email).toBe('other@example.com');
    expect(r.ok && r.record.user.displayName).toBe('User 3');
  });

  it('requests and stores the attributes rules read: the defaults and config.attributes beside the user fields', () => {
    const config = { email: 'otherMail', department: 'ou', costCenter: 'x-costCenter' };
    const m: UserMapping = {
      preset: openldapPreset,
      fields: userAttributeMap(openldapPreset, config),
      ruleAttributes: directoryAttributesOf(attributeView('ldap', ruleAttributeOverrides(config))),
    };
    // `email` remaps a user field; the others map attributes for rules, `department` replacing the default departmentNumber.
    expect(userAttributes(m)).toEqual(expect.arrayContaining(['otherMail', 'ou', 'x-costCenter', 'employeeType', 'title']));
    expect(userAttributes(m)).not.toContain('departmentNumber');
    const r = mapUserEntry(person(4, { otherMail: 'u4@example.com', OU: ['Analytics', 'Research'], employeeType: 'Contractor', departmentNumber: '42' }), m);
    const attributes = r.ok ? r.record.user.attributes : undefined;
    expect(attributes).toEqual({ dn: 'uid=user4,ou=people,dc=example,dc=com', employeeType: 'Contractor', ou: ['Analytics', 'Research'] });
    // Keys in sorted order, for the content hash's fast path.
    expect(Object.keys(attributes ?? {})).toEqual(['dn', 'employeeType', 'ou']);
    const bad = mapUserEntry(person(5, { otherMail: 'u5@example.com', title: 'a\u0000b' }), m);
    expect(bad.ok ? undefined : bad.skipped).toMatchObject({ reason: 'invalid-value', detail: expect.stringContaining('title') });
  });

  it('requests only mapped attributes', () => {
    expect(userAttributes(openldap).sort()).toEqual(['cn', 'displayName', 'entryUUID', 'givenName', 'mail', 'o', 'sn', 'uid'].sort());
    expect(groupAttributes(openldapPreset).sort()).toEqual(['cn', 'entryUUID', 'member', 'memberUid', 'objectClass', 'uniqueMember'].sort());
  });
});

describe('skipped entries', () => {
  it('no-email, duplicate-email (across pages), invalid-dn, no-external-id', () => {
    const seen = new Set<string>();
    const first = mapUserPage([person(1), person(2, { mail: [] })], openldap, seen);
    expect(first.records.map((r) => r.user.userName)).toEqual(['user1']);
    expect(first.skipped).toEqual([{ externalId: '00000000-0000-0000-0000-000000000002', reason: 'no-email', detail: 'uid=user2,ou=people,dc=example,dc=com' }]);
    expect(first.skippedDnKeys).toEqual(['uid=user2,ou=people,dc=example,dc=com']);

    const second = mapUserPage(
      [
        person(3, { mail: 'USER1@example.com' }),
        { ...person(4), dn: 'this is not a dn' },
        person(5, { entryUUID: [] }),
        person(6, { uid: [] }),
        person(7),
      ],
      openldap,
      seen,
    );
    expect(second.records.map((r) => r.user.userName)).toEqual(['user7']);
    expect(second.skipped.map((s) => s.reason)).toEqual([
      SKIP_REASONS.duplicateEmail,
      SKIP_REASONS.invalidDn,
      SKIP_REASONS.noExternalId,
      SKIP_REASONS.noUserName,
    ]);
    expect(second.skipped.map((s) => s.reason)).toEqual(['duplicate-email', 'invalid-dn', 'no-external-id', 'no-user-name']);
  });
});

describe('activedirectory users', () => {
  const base = {
    dn: 'CN=Ann Smith,OU=Staff,DC=corp,DC=example',
    objectGUID: guid,
    sAMAccountName: 'asmith',
    userPrincipalName: 'ann.smith@corp.example',
    givenName: 'Ann',
    sn: 'Smith',
    displayName: 'Ann Smith',
    company: 'Corp',
    userAccountControl: '512',
    primaryGroupID: '513',
  } as LdapEntry;

  it('decodes objectGUID, takes the UPN as user name and (without mail) as e-mail', () => {
    const r = mapUserEntry(base, ad);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.record.user).toMatchObject({
      externalId: '01234567-89ab-cdef-0123-456789abcdef',
      userName: 'ann.smith@corp.example',
      email: 'ann.smith@corp.example',
      active: true,
      company: 'Corp',
    });
    expect(r.record.primaryGroupId).toBe(513);
  });

  it('prefers mail, falls back to sAMAccountName, and reads ACCOUNTDISABLE', () => {
    const r = mapUserEntry({ ...base, mail: 'ann@example.com', userPrincipalName: [], userAccountControl: '514' } as LdapEntry, ad);
    expect(r.ok && r.record.user).toMatchObject({ userName: 'asmith', email: 'ann@example.com', active: false });
  });

  it('a user with neither mail nor UPN is skipped as no-email', () => {
    const r = mapUserEntry({ ...base, userPrincipalName: [] } as LdapEntry, ad);
    expect(!r.ok && r.skipped.reason).toBe('no-email');
  });

  it('asks ldapts for objectGUID/objectSid as binary', () => {
    expect(activeDirectoryPreset.binaryAttributes).toEqual(['objectGUID', 'objectSid']);
    expect(userAttributes(ad)).toEqual(expect.arrayContaining(['objectGUID', 'userAccountControl', 'primaryGroupID']));
  });
});

describe('groups', () => {
  it('maps cn, the DN alias, member lists and the AD RID', () => {
    const sid = Buffer.alloc(8 + 4 * 5);
    sid.writeUInt8(1, 0);
    sid.writeUInt8(5, 1);
    sid.writeUIntBE(5, 2, 6);
    [21, 1, 2, 3, 513].forEach((v, i) => sid.writeUInt32LE(v, 8 + 4 * i));
    const r = mapGroupEntry(
      { dn: 'CN=Domain Users,CN=Users,DC=corp,DC=example', objectGUID: guid, cn: 'Domain Users', objectSid: sid, 'member;range=0-1499': ['CN=a,DC=corp,DC=example'], member: [] } as LdapEntry,
      activeDirectoryPreset,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.record).toMatchObject({ externalId: '01234567-89ab-cdef-0123-456789abcdef', displayName: 'Domain Users', rid: 513 });
    expect(r.record.memberDnValues).toEqual([{ attribute: 'member', ranged: { values: ['CN=a,DC=corp,DC=example'], next: 1500 } }]);
  });
});
