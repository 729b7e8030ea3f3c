import { describe, expect, it } from 'vitest';
import { ldapSourceConfig } from './config.js';
import { configuredFilter, InvalidFilterError } from './configured-filter.js';

describe('configuredFilter', () => {
  it('adds the outer parentheses a whole filter may leave out, so that (&…) can hold it', () => {
    expect(configuredFilter('objectClass=inetOrgPerson')).toBe('(objectClass=inetOrgPerson)');
    expect(configuredFilter(' (objectClass=inetOrgPerson) ')).toBe('(objectClass=inetOrgPerson)');
  });

  it('keeps escaped metacharacters and NUL escaped', () => {
    expect(configuredFilter('(!(cn=a\\2ab\\28c\\29\\5cd\\00e))')).toBe('(!(cn=a\\2ab\\28c\\29\\5cd\\00e))');
  });

  it('decodes escaped UTF-8 into the characters it spells (ldapts would send each byte as a character)', () => {
    expect(configuredFilter('(cn=Zo\\c3\\ab*)')).toBe('(cn=Zoë*)');
    expect(configuredFilter('(cn=\\E5\\90\\8D\\e5\\89\\8d\\2a)')).toBe('(cn=名前\\2a)');
  });

  it('refuses what is not exactly one filter, and binary escapes', () => {
    for (const bad of ['(uid=a)(uid=b)', '(uid=a))(|(uid=*)', '(&(uid=a)', '(uid=a', '((uid=a))', '(objectGUID=\\a1\\b2\\c3)']) {
      expect(() => configuredFilter(bad), bad).toThrow(InvalidFilterError);
    }
  });

  it('is checked when the config is read, with the path of the filter', () => {
    const parsed = ldapSourceConfig.safeParse({ id: 'x', kind: 'ldap', url: 'ldap://127.0.0.1', users: { baseDn: 'dc=x', filter: '(uid=a)(uid=b)' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['users', 'filter']);
    expect(parsed.error?.issues[0]?.message).toMatch(/^not one LDAP filter/);
  });
});
