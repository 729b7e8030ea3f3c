import { describe, expect, it } from 'vitest';
import { formatObjectGuid, isAccountEnabled, parseObjectGuid, parseSid } from './ad.js';

describe('objectGUID', () => {
  // The bytes AD stores for {01234567-89ab-cdef-0123-456789abcdef}: first three fields little-endian.
  const bytes = Buffer.from('67452301ab89efcd0123456789abcdef', 'hex');

  it('formats the mixed-endian layout the way AD prints it', () => {
    expect(formatObjectGuid(bytes)).toBe('01234567-89ab-cdef-0123-456789abcdef');
  });

  it('round-trips', () => {
    expect(parseObjectGuid('{01234567-89AB-CDEF-0123-456789ABCDEF}')?.equals(bytes)).toBe(true);
    expect(formatObjectGuid(parseObjectGuid('c0ffee00-1234-5678-9abc-def012345678') as Buffer)).toBe('c0ffee00-1234-5678-9abc-def012345678');
  });

  it('refuses anything but 16 bytes', () => {
    expect(formatObjectGuid(Buffer.alloc(15))).toBeUndefined();
    expect(parseObjectGuid('not-a-guid')).toBeUndefined();
  });
});

describe('objectSid', () => {
  it('decodes S-1-5-21-…-RID and exposes the RID', () => {
    // S-1-5-21-3623811015-3361044348-30300820-1013
    const sid = Buffer.alloc(8 + 4 * 5);
    sid.writeUInt8(1, 0);
    sid.writeUInt8(5, 1);
    sid.writeUIntBE(5, 2, 6);
    [21, 3623811015, 3361044348, 30300820, 1013].forEach((v, i) => sid.writeUInt32LE(v, 8 + 4 * i));
    expect(parseSid(sid)).toEqual({ text: 'S-1-5-21-3623811015-3361044348-30300820-1013', rid: 1013 });
  });

  it('rejects a truncated SID', () => {
    expect(parseSid(Buffer.from([1, 5, 0, 0, 0, 0, 0, 5, 21, 0]))).toBeUndefined();
  });
});

describe('userAccountControl', () => {
  it('bit 0x2 means disabled', () => {
    expect(isAccountEnabled('512')).toBe(true); // NORMAL_ACCOUNT
    expect(isAccountEnabled('514')).toBe(false); // NORMAL_ACCOUNT | ACCOUNTDISABLE
    expect(isAccountEnabled('66050')).toBe(false); // + DONT_EXPIRE_PASSWORD
    expect(isAccountEnabled(undefined)).toBe(true);
  });
});
