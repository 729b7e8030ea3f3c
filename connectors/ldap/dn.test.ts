import { describe, expect, it } from 'vitest';
import { InvalidDnError, isDescendantOrSelf, normalizeDn, tryNormalizeDn, withoutOptionalUid } from './dn.js';

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

  it('compares unicode in its composed form: a member written decomposed names the same entry', () => {
    // OpenLDAP keeps `member: cn=zoe\u0308,…` as written and returns the entry itself as `cn=Zoë,…`.
    expect(normalizeDn('cn=zoe\u0308 ærø 名前,ou=people,dc=x')).toBe(normalizeDn('cn=Zoë Ærø 名前,ou=people,dc=x'));
    expect(normalizeDn('cn=Zoe\u0308\\, J,dc=x')).toBe(normalizeDn('cn=Zo\\C3\\AB\\2C J,dc=x'));
  });

  it('keeps filter metacharacters and NUL of a value comparable', () => {
    expect(normalizeDn('cn=A\\2Ab\\28C\\29\\5cD\\00E,dc=x')).toBe(normalizeDn('cn=a*b(c)\\5Cd\\00e,dc=x'));
  });

  it('drops the optional bit string of a uniqueMember value (RFC 4517 NameAndOptionalUID)', () => {
    expect(withoutOptionalUid("uid=a,ou=p,dc=x#'0101'B")).toBe('uid=a,ou=p,dc=x');
    expect(withoutOptionalUid('uid=a,ou=p,dc=x')).toBe('uid=a,ou=p,dc=x');
    expect(withoutOptionalUid("cn=a\\#'01'B,dc=x")).toBe("cn=a\\#'01'B,dc=x");
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
