import { describe, expect, it } from 'vitest';
import type { LdapEntry } from './entry.js';
import { mapGroupEntry, mapUserEntry, SKIP_REASONS, type UserMapping } from './map.js';
import { openldapPreset, userAttributeMap } from './presets.js';
import { clip, MAX_KEY_BYTES, MAX_TEXT_BYTES, valueProblem } from './value-problem.js';

const m: UserMapping = { preset: openldapPreset, fields: userAttributeMap(openldapPreset, { company: 'jpegPhoto' }) };
const entry = (extra: Partial<LdapEntry>): LdapEntry =>
  ({ dn: 'uid=u,ou=people,dc=x', entryUUID: '00000000-0000-0000-0000-000000000001', uid: 'u', mail: 'u@example.com', cn: 'U', ...extra }) as LdapEntry;

describe('valueProblem', () => {
  it('bounds keys and text by UTF-8 bytes', () => {
    expect(valueProblem('a'.repeat(MAX_KEY_BYTES), 'key')).toBeUndefined();
    expect(valueProblem('a'.repeat(MAX_KEY_BYTES + 1), 'key')).toBe('value-too-long');
    expect(valueProblem('é'.repeat(MAX_KEY_BYTES / 2 + 1), 'key')).toBe('value-too-long');
    expect(valueProblem('a'.repeat(MAX_TEXT_BYTES), 'text')).toBeUndefined();
    expect(valueProblem('a'.repeat(MAX_TEXT_BYTES + 1), 'text')).toBe('value-too-long');
  });

  it('refuses NUL and undecodable bytes everywhere, other control characters in keys only', () => {
    expect(valueProblem('a\0b', 'text')).toBe('invalid-value');
    expect(valueProblem('a\ufffdb', 'text')).toBe('invalid-value');
    expect(valueProblem('Tab\tand\u001bEsc', 'text')).toBeUndefined();
    expect(valueProblem('a\u001b@example.com', 'key')).toBe('invalid-value');
    expect(valueProblem('Zoë Ærø 名前 (a*b)\\', 'key')).toBeUndefined();
  });

  it('clips what it shows of a value', () => {
    expect(clip('a\0b')).toBe('a\\00b');
    expect(clip('x'.repeat(500))).toBe(`${'x'.repeat(200)}… (500 characters)`);
  });
});

describe('entries with values idsync cannot store are skipped, naming the attribute and never the value', () => {
  const cases: Array<[string, Partial<LdapEntry>, string, RegExp]> = [
    ['NUL in the display name', { cn: 'a\0b' }, SKIP_REASONS.invalidValue, /displayName \(displayName\/cn\)/],
    ['NUL in an address', { mail: 'a\0b@example.com' }, SKIP_REASONS.invalidValue, /email \(mail\)/],
    ['an escape character in the user name', { uid: 'u\u001b[31m' }, SKIP_REASONS.invalidValue, /userName \(uid\)/],
    ['a very long user name', { uid: 'u'.repeat(5000) }, SKIP_REASONS.valueTooLong, /userName \(uid\) is longer than 1024 bytes/],
    ['a very long second address', { mail: ['u@example.com', `${'u'.repeat(2000)}@example.com`] }, SKIP_REASONS.valueTooLong, /email \(mail\)/],
    ['binary data mapped as text', { jpegPhoto: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]) }, SKIP_REASONS.invalidValue, /company \(jpegPhoto\)/],
  ];
  it.each(cases)('%s', (_name, extra, reason, detail) => {
    const r = mapUserEntry(entry(extra), m);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.skipped.reason).toBe(reason);
    expect(r.skipped.detail).toMatch(detail);
    expect(r.skipped.detail?.length).toBeLessThan(400);
    expect(r.skipped.detail).not.toContain('\0');
    expect(r.dnKey).toBe('uid=u,ou=people,dc=x');
  });

  it('groups whose name cannot be a key', () => {
    const group = (cn: string) => mapGroupEntry({ dn: 'ou=g,dc=x', entryUUID: '00000000-0000-0000-0000-000000000002', cn, objectClass: 'groupOfNames' } as LdapEntry, openldapPreset);
    expect(group('x'.repeat(3000))).toMatchObject({ ok: false, skipped: { reason: 'value-too-long', detail: expect.stringMatching(/displayName \(cn\)/) } });
    expect(group('nul\0group')).toMatchObject({ ok: false, skipped: { reason: 'invalid-value' } });
    expect(group('(weird)*\\ group').ok).toBe(true);
  });
});
