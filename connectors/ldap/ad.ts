/**
 * Active Directory's binary and bit-field attributes, decoded.
 * References: MS-DTYP §2.3.4 (GUID), §2.4.2 (SID); MS-ADTS §2.2.16 (userAccountControl).
 */

/**
 * `objectGUID` (16 bytes) as AD and .NET print it: the first three fields are little-endian,
 * the last two big-endian — `{b3b2b1b0-b5b4-b7b6-b8b9-b10…b15}` — lower-case, without braces.
 * Returns `undefined` for anything that is not 16 bytes.
 */
export function formatObjectGuid(bytes: Uint8Array): string | undefined {
  if (bytes.length !== 16) return undefined;
  const h = (i: number) => (bytes[i] as number).toString(16).padStart(2, '0');
  const seq = (...idx: number[]) => idx.map(h).join('');
  return `${seq(3, 2, 1, 0)}-${seq(5, 4)}-${seq(7, 6)}-${seq(8, 9)}-${seq(10, 11, 12, 13, 14, 15)}`;
}

/** The inverse of `formatObjectGuid` (for filters such as `(objectGUID=\xx…)`). */
export function parseObjectGuid(text: string): Buffer | undefined {
  const m = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i.exec(text);
  if (!m) return undefined;
  const le = (hex: string) => Buffer.from(hex, 'hex').reverse();
  return Buffer.concat([le(m[1] as string), le(m[2] as string), le(m[3] as string), Buffer.from(`${m[4]}${m[5]}`, 'hex')]);
}

export interface Sid {
  /** `S-1-5-21-…` */
  text: string;
  /** The relative identifier: the last sub-authority, what `primaryGroupID` refers to. */
  rid: number;
}

/**
 * `objectSid`: revision (1 byte), sub-authority count (1), identifier authority (6, big-endian),
 * then `count` sub-authorities of 4 bytes each, little-endian.
 */
export function parseSid(bytes: Uint8Array): Sid | undefined {
  if (bytes.length < 8) return undefined;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const revision = buf.readUInt8(0);
  const count = buf.readUInt8(1);
  if (buf.length !== 8 + 4 * count || count === 0) return undefined;
  const authority = buf.readUIntBE(2, 6);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(buf.readUInt32LE(8 + 4 * i));
  return { text: `S-${revision}-${authority}-${subs.join('-')}`, rid: subs[subs.length - 1] as number };
}

/** userAccountControl ACCOUNTDISABLE. */
const UF_ACCOUNTDISABLE = 0x2;

/** `active` from `userAccountControl` (a decimal string); absent or unparsable counts as active. */
export function isAccountEnabled(userAccountControl: string | undefined): boolean {
  if (userAccountControl === undefined) return true;
  const uac = Number.parseInt(userAccountControl, 10);
  if (!Number.isFinite(uac)) return true;
  return (uac & UF_ACCOUNTDISABLE) === 0;
}
