/**
 * What differs between directory kinds: attribute names, default filters, how group members are
 * listed, how changes are found. `config.attributes` overrides a preset field by field; an
 * overridden field has no fallback.
 */
import { LDAP_USER_FIELDS, type LdapSourceConfig } from './config.js';

export type PresetName = LdapSourceConfig['preset'];
export type UserField = 'externalId' | 'userName' | 'email' | 'givenName' | 'familyName' | 'displayName' | 'company';

export interface LdapPreset {
  name: PresetName;
  /** Attribute names tried in order for each field of a user. */
  user: Record<UserField, readonly string[]>;
  defaultUserFilter: string;
  defaultGroupFilter: string;
  group: {
    externalId: string;
    name: string;
    /** Attributes holding member DNs. */
    memberDnAttributes: readonly string[];
    /** Attributes holding member user names (posixGroup `memberUid`), matched against `uid`. */
    memberUidAttributes: readonly string[];
    /** objectClass values that make an entry a group (lower-case). */
    objectClasses: readonly string[];
  };
  /** Extra user attributes the mapping reads (`uid` for memberUid, AD's account control, primary group). */
  userExtra: readonly string[];
  /** Attributes ldapts must return as Buffers. */
  binaryAttributes: readonly string[];
  /** Delta strategy: `modifyTimestamp` (OpenLDAP) or `usn` (AD: uSNChanged, whenChanged as fallback). */
  delta: 'modifyTimestamp' | 'usn';
}

export const openldapPreset: LdapPreset = {
  name: 'openldap',
  user: {
    externalId: ['entryUUID'],
    userName: ['uid'],
    email: ['mail'],
    givenName: ['givenName'],
    familyName: ['sn'],
    // inetOrgPerson's displayName is the name the person prefers to be shown; cn is always there.
    displayName: ['displayName', 'cn'],
    company: ['o'],
  },
  defaultUserFilter: '(objectClass=inetOrgPerson)',
  defaultGroupFilter: '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))',
  group: {
    externalId: 'entryUUID',
    name: 'cn',
    memberDnAttributes: ['member', 'uniqueMember'],
    memberUidAttributes: ['memberUid'],
    objectClasses: ['groupofnames', 'groupofuniquenames', 'posixgroup'],
  },
  userExtra: ['uid'],
  binaryAttributes: [],
  delta: 'modifyTimestamp',
};

export const activeDirectoryPreset: LdapPreset = {
  name: 'activedirectory',
  user: {
    externalId: ['objectGUID'],
    userName: ['userPrincipalName', 'sAMAccountName'],
    email: ['mail', 'userPrincipalName'],
    givenName: ['givenName'],
    familyName: ['sn'],
    displayName: ['displayName', 'cn'],
    company: ['company'],
  },
  defaultUserFilter: '(&(objectCategory=person)(objectClass=user))',
  defaultGroupFilter: '(objectClass=group)',
  group: {
    externalId: 'objectGUID',
    name: 'cn',
    memberDnAttributes: ['member'],
    memberUidAttributes: [],
    objectClasses: ['group'],
  },
  userExtra: ['userAccountControl', 'primaryGroupID', 'sAMAccountName'],
  binaryAttributes: ['objectGUID', 'objectSid'],
  delta: 'usn',
};

export function presetFor(name: PresetName): LdapPreset {
  return name === 'activedirectory' ? activeDirectoryPreset : openldapPreset;
}

/** The attribute list for each user field after `config.attributes` overrides. */
export function userAttributeMap(preset: LdapPreset, overrides: LdapSourceConfig['attributes']): Record<UserField, readonly string[]> {
  const map = { ...preset.user };
  for (const field of LDAP_USER_FIELDS) {
    const attr = overrides?.[field];
    if (attr !== undefined) map[field] = [attr];
  }
  return map;
}

/** The entries of `config.attributes` that map attributes for rules (idsync name → directory attribute), not user fields. */
export function ruleAttributeOverrides(overrides: LdapSourceConfig['attributes']): Record<string, string> {
  const fields: ReadonlySet<string> = new Set(LDAP_USER_FIELDS);
  return Object.fromEntries(Object.entries(overrides ?? {}).filter((e): e is [string, string] => !fields.has(e[0]) && e[1] !== undefined));
}
