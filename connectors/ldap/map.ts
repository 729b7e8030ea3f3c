/**
 * Pure mapping of LDAP entries to the connector seam's records. No I/O: the group member lists
 * that need more reads (AD ranges, nested groups) are completed by `groups.ts`.
 */
import type { SkippedEntry, SourceGroup, SourceUser } from '../../src/connector/connector.js';
import { formatObjectGuid, isAccountEnabled, parseSid } from './ad.js';
import { tryNormalizeDn } from './dn.js';
import { firstBinary, firstText, texts, type LdapEntry } from './entry.js';
import type { LdapPreset, UserField } from './presets.js';
import { rangedValues, type RangedValues } from './range.js';
import { clip, MAX_KEY_BYTES, MAX_TEXT_BYTES, valueProblem, type ValueProblem } from './value-problem.js';

/** Stable reasons an entry is left out of a page (counted by the sync run). */
export const SKIP_REASONS = {
  noEmail: 'no-email',
  duplicateEmail: 'duplicate-email',
  invalidDn: 'invalid-dn',
  noExternalId: 'no-external-id',
  noUserName: 'no-user-name',
  /** A group member value that is not a DN; the group itself is still yielded. */
  invalidMemberDn: 'invalid-member-dn',
  /** A group member DN that names no entry the source can read; the group itself is still yielded. */
  danglingMember: 'dangling-member',
  /** A mapped value idsync cannot store: a NUL, a control character in a key, bytes that are not UTF-8 (`value-problem.ts`). */
  invalidValue: 'invalid-value',
  /** A mapped value longer than idsync keeps (`value-problem.ts`). */
  valueTooLong: 'value-too-long',
} as const;

interface FieldProblem {
  reason: ValueProblem;
  kind: 'key' | 'text';
  field: string;
  /** The directory attributes the field is read from. */
  attributes: readonly string[];
}

function problemIn(field: string, attributes: readonly string[], value: string | null | undefined, kind: 'key' | 'text'): FieldProblem | undefined {
  if (value === null || value === undefined) return undefined;
  const reason = valueProblem(value, kind);
  return reason === undefined ? undefined : { reason, kind, field, attributes };
}

/** The skip of an entry with a value that cannot be stored; the detail names the attribute, never the value. */
function unusable(dn: string, externalId: string | undefined, problem: FieldProblem): SkippedEntry {
  const why =
    problem.reason === 'value-too-long'
      ? `is longer than ${problem.kind === 'key' ? MAX_KEY_BYTES : MAX_TEXT_BYTES} bytes`
      : problem.kind === 'key'
        ? 'holds a control character or bytes that are not UTF-8'
        : 'holds a NUL or bytes that are not UTF-8';
  return {
    externalId: externalId !== undefined && valueProblem(externalId, 'key') === undefined ? externalId : undefined,
    reason: problem.reason,
    detail: `${clip(dn)}: ${problem.field} (${problem.attributes.join('/')}) ${why}`,
  };
}

export interface UserMapping {
  preset: LdapPreset;
  fields: Record<UserField, readonly string[]>;
  /**
   * Directory attributes rules may match on (the source's attribute view: the defaults and
   * `attributes:`), stored as read under these names beside `dn`. Default none.
   */
  ruleAttributes?: readonly string[] | undefined;
}

/** Every attribute a user search must request (and only those). */
export function userAttributes(m: UserMapping): string[] {
  return unique([...Object.values(m.fields).flat(), ...m.preset.userExtra, ...(m.ruleAttributes ?? [])]);
}

/**
 * `dn` and the values of the rule attributes the entry has (one value as text, several as a list),
 * keys in sorted order (the content hash then takes its fast path), or the first value that cannot
 * be stored.
 */
function storedAttributes(entry: LdapEntry, names: readonly string[]): { attributes: Record<string, unknown> } | { problem: FieldProblem } {
  if (names.length === 0) return { attributes: { dn: entry.dn } };
  const found: Array<[string, string | string[]]> = [['dn', entry.dn]];
  for (const name of names) {
    if (name.toLowerCase() === 'dn') continue;
    const values = texts(entry, name);
    for (const v of values) {
      const problem = problemIn(name, [name], v, 'text');
      if (problem) return { problem };
    }
    if (values.length > 0) found.push([name, values.length === 1 ? (values[0] as string) : values]);
  }
  found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { attributes: Object.fromEntries(found) };
}

/** Every attribute a group search must request. */
export function groupAttributes(preset: LdapPreset): string[] {
  const g = preset.group;
  const sid = preset.name === 'activedirectory' ? ['objectSid'] : [];
  return unique([g.externalId, g.name, 'objectClass', ...g.memberDnAttributes, ...g.memberUidAttributes, ...sid]);
}

function unique(list: string[]): string[] {
  const seen = new Set<string>();
  return list.filter((a) => {
    const k = a.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** entryUUID as text, objectGUID decoded from its 16 bytes. */
function externalIdOf(entry: LdapEntry, attributes: readonly string[]): string | undefined {
  for (const name of attributes) {
    if (name.toLowerCase() === 'objectguid') {
      const bytes = firstBinary(entry, name);
      const guid = bytes ? formatObjectGuid(bytes) : undefined;
      if (guid) return guid;
    } else {
      const v = firstText(entry, [name]);
      if (v) return v;
    }
  }
  return undefined;
}

export interface UserRecord {
  user: SourceUser;
  /** The entry's DN in normal form (`dn.ts`), to resolve group members. */
  dnKey: string;
  /** `uid`, lower-case, for posixGroup `memberUid`. */
  uid: string | undefined;
  /** AD `primaryGroupID`: the RID of the user's primary group. */
  primaryGroupId: number | undefined;
}

export type UserResult =
  | { ok: true; record: UserRecord }
  | { ok: false; skipped: SkippedEntry; /** normal-form DN, when it parsed */ dnKey: string | undefined };

/** One entry → a `SourceUser`, or the reason it is skipped (e-mail uniqueness is `mapUserPage`'s job). */
export function mapUserEntry(entry: LdapEntry, m: UserMapping): UserResult {
  const externalId = externalIdOf(entry, m.fields.externalId);
  const dnKey = tryNormalizeDn(entry.dn);
  if (dnKey === undefined) {
    return { ok: false, dnKey, skipped: { externalId, reason: SKIP_REASONS.invalidDn, detail: `unparsable DN "${entry.dn}"` } };
  }
  if (!externalId) {
    return { ok: false, dnKey, skipped: { reason: SKIP_REASONS.noExternalId, detail: `${entry.dn} has no ${m.fields.externalId.join('/')}` } };
  }
  const userName = firstText(entry, m.fields.userName);
  if (!userName) {
    return { ok: false, dnKey, skipped: { externalId, reason: SKIP_REASONS.noUserName, detail: `${entry.dn} has no ${m.fields.userName.join('/')}` } };
  }
  const emails = emailValues(entry, m.fields.email);
  const email = emails[0];
  if (email === undefined) {
    return { ok: false, dnKey, skipped: { externalId, reason: SKIP_REASONS.noEmail, detail: entry.dn } };
  }
  const stored = storedAttributes(entry, m.ruleAttributes ?? []);
  if ('problem' in stored) return { ok: false, dnKey, skipped: unusable(entry.dn, externalId, stored.problem) };
  const ad = m.preset.name === 'activedirectory';
  const pgid = ad ? Number.parseInt(firstText(entry, ['primaryGroupID']) ?? '', 10) : Number.NaN;
  const user: SourceUser = {
    externalId,
    userName,
    email,
    // Keys in sorted order: the content hash then takes its fast path (content-hash.ts).
    emails: emails.map((value, i) => (i === 0 ? { primary: true, value } : { value })),
    givenName: firstText(entry, m.fields.givenName) ?? null,
    familyName: firstText(entry, m.fields.familyName) ?? null,
    displayName: firstText(entry, m.fields.displayName) ?? null,
    company: firstText(entry, m.fields.company) ?? null,
    active: ad ? isAccountEnabled(firstText(entry, ['userAccountControl'])) : true,
    attributes: stored.attributes,
  };
  const f = m.fields;
  const problem =
    problemIn('externalId', f.externalId, externalId, 'key') ??
    problemIn('userName', f.userName, userName, 'key') ??
    emailProblem(emails, f.email) ??
    problemIn('givenName', f.givenName, user.givenName, 'text') ??
    problemIn('familyName', f.familyName, user.familyName, 'text') ??
    problemIn('displayName', f.displayName, user.displayName, 'text') ??
    problemIn('company', f.company, user.company, 'text') ??
    problemIn('dn', ['dn'], entry.dn, 'text');
  if (problem) return { ok: false, dnKey, skipped: unusable(entry.dn, externalId, problem) };
  return {
    ok: true,
    record: {
      user,
      dnKey,
      uid: firstText(entry, ['uid'])?.toLowerCase(),
      primaryGroupId: Number.isFinite(pgid) ? pgid : undefined,
    },
  };
}

function emailProblem(emails: readonly string[], attributes: readonly string[]): FieldProblem | undefined {
  for (const value of emails) {
    const problem = problemIn('email', attributes, value, 'key');
    if (problem) return problem;
  }
  return undefined;
}

/** Values of the first e-mail attribute that has any, deduplicated case-insensitively. */
function emailValues(entry: LdapEntry, attributes: readonly string[]): string[] {
  for (const name of attributes) {
    const all = texts(entry, name);
    // Most entries have one address: nothing to filter or deduplicate.
    if (all.length === 1 && (all[0] as string).includes('@')) return all;
    const values = all.filter((v) => v.includes('@'));
    if (values.length === 1) return values;
    if (values.length > 1) {
      const seen = new Set<string>();
      return values.filter((v) => !seen.has(v.toLowerCase()) && seen.add(v.toLowerCase()));
    }
  }
  return [];
}

export interface UserPage {
  records: UserRecord[];
  skipped: SkippedEntry[];
  /** Normal-form DNs of skipped entries, so group resolution does not look them up again. */
  skippedDnKeys: string[];
}

/**
 * Maps one LDAP page. `seenEmails` (lower-case) spans the whole listing: the second entry with an
 * address already yielded is skipped as `duplicate-email` (the first one wins, in server order).
 */
export function mapUserPage(entries: readonly LdapEntry[], m: UserMapping, seenEmails: Set<string>): UserPage {
  const page: UserPage = { records: [], skipped: [], skippedDnKeys: [] };
  for (const entry of entries) {
    const r = mapUserEntry(entry, m);
    if (!r.ok) {
      page.skipped.push(r.skipped);
      if (r.dnKey !== undefined) page.skippedDnKeys.push(r.dnKey);
      continue;
    }
    const key = (r.record.user.email as string).toLowerCase();
    // One insertion instead of a lookup and an insertion: the set grows with the whole directory.
    const size = seenEmails.size;
    if (seenEmails.add(key).size === size) {
      page.skipped.push({ externalId: r.record.user.externalId, reason: SKIP_REASONS.duplicateEmail, detail: `${entry.dn}: ${key}` });
      page.skippedDnKeys.push(r.record.dnKey);
      continue;
    }
    page.records.push(r.record);
  }
  return page;
}

export interface GroupRecord {
  externalId: string;
  displayName: string;
  dn: string;
  dnKey: string;
  /** Member DN values per attribute, possibly cut short by AD range retrieval (`next`). */
  memberDnValues: { attribute: string; ranged: RangedValues }[];
  memberUids: string[];
  /** AD: the RID of the group's objectSid, which users' primaryGroupID points at. */
  rid: number | undefined;
}

export type GroupResult = { ok: true; record: GroupRecord } | { ok: false; skipped: SkippedEntry };

/** True when the entry's objectClass makes it a group for this preset. */
export function isGroupEntry(entry: LdapEntry, preset: LdapPreset): boolean {
  return texts(entry, 'objectClass').some((c) => preset.group.objectClasses.includes(c.toLowerCase()));
}

export function mapGroupEntry(entry: LdapEntry, preset: LdapPreset): GroupResult {
  const externalId = externalIdOf(entry, [preset.group.externalId]);
  const dnKey = tryNormalizeDn(entry.dn);
  if (dnKey === undefined) {
    return { ok: false, skipped: { externalId, reason: SKIP_REASONS.invalidDn, detail: `unparsable DN "${entry.dn}"` } };
  }
  if (!externalId) {
    return { ok: false, skipped: { reason: SKIP_REASONS.noExternalId, detail: `${entry.dn} has no ${preset.group.externalId}` } };
  }
  const displayName = firstText(entry, [preset.group.name]) ?? entry.dn;
  const problem =
    problemIn('externalId', [preset.group.externalId], externalId, 'key') ??
    problemIn('displayName', [preset.group.name], displayName, 'key') ??
    problemIn('dn', ['dn'], entry.dn, 'text');
  if (problem) return { ok: false, skipped: unusable(entry.dn, externalId, problem) };
  const sid = firstBinary(entry, 'objectSid');
  return {
    ok: true,
    record: {
      externalId,
      displayName,
      dn: entry.dn,
      dnKey,
      memberDnValues: preset.group.memberDnAttributes.map((attribute) => ({ attribute, ranged: rangedValues(entry, attribute) })),
      memberUids: preset.group.memberUidAttributes.flatMap((a) => texts(entry, a)).map((u) => u.toLowerCase()),
      rid: sid ? parseSid(sid)?.rid : undefined,
    },
  };
}

/** The seam's group: display name `cn`, the DN as alias (rules may name either). */
export function toSourceGroup(record: GroupRecord, memberExternalIds: string[]): SourceGroup {
  return { externalId: record.externalId, displayName: record.displayName, aliases: [record.dn], memberExternalIds };
}
