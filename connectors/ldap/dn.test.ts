import { describe, expect, it } from 'vitest';
import { InvalidDnError, isDescendantOrSelf, normalizeDn, tryNormalizeDn } from './dn.js';

describe('normalizeDn', () => {
  it('ignores case and insignificant spaces', () => {
    expect(normalizeDn('UID=User1, OU=People ,dc=Example,DC=com')).toBe('uid=user1,ou=people,dc=example,dc=com');
    expect(normalizeDn('cn=Ann   Smith,dc=x')).toBe('cn=ann smith,dc=x');
  });

  it('resolves escapes the same way as the plain spelling', () => {
    expect(normalizeDn('cn=Smith\\, John,dc=x')).toBe('cn=smith\\, john,dc=x');
    expect(normalizeDn('cn=Smith\\2C John,dc=x')).toBe(normalizeDn('cn=Smith\\, John,dc=x'));
    expect(normalizeDn('cn=J\\C3\\BCrgen,dc=x')).toBe(normalizeDn('cn=Jürgen,dc=x'));
  });

  it('orders the AVAs of a multi-valued RDN', () => {
    expect(normalizeDn('sn=B+cn=A,dc=x')).toBe(normalizeDn('CN=a+SN=b,dc=x'));
  });

  it('keeps hex (BER) values comparable', () => {
    expect(normalizeDn('cn=#04024869,dc=x')).toBe('cn=#04024869,dc=x');
  });

  it('rejects what is not a DN', () => {
    for (const bad of ['no equals sign', 'cn=a,,dc=x', 'cn=a\\', 'cn=a\\zz,dc=x', '=x,dc=y', 'cn=#0g,dc=x', 'cn="quoted",dc=x']) {
      expect(() => normalizeDn(bad), bad).toThrow(InvalidDnError);
      expect(tryNormalizeDn(bad)).toBeUndefined();
    }
  });

  it('treats the empty DN as the root', () => {
    expect(normalizeDn('')).toBe('');
  });

  it('knows descendants', () => {
    expect(isDescendantOrSelf('uid=a,ou=p,dc=x', 'ou=p,dc=x')).toBe(true);
    expect(isDescendantOrSelf('uid=a,ou=pp,dc=x', 'ou=p,dc=x')).toBe(false);
  });
});
