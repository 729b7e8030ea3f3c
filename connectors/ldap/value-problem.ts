/**
 * Whether a value read from the directory can be stored as what it is mapped to. A directory
 * accepts what idsync cannot keep: OpenLDAP takes a NUL or an escape character in a
 * `directoryString` (cn, mail, uid), values of any length, and any bytes in an octet-string
 * attribute (jpegPhoto, userPassword) that a source may map as text. PostgreSQL refuses a NUL in
 * text and jsonb, and cannot index a key longer than about 2,700 bytes — either would fail the
 * write of a whole batch, and so the run. The connector skips such an entry instead, naming the
 * attribute and the reason (`invalid-value`, `value-too-long`); the others sync.
 */

/**
 * Largest key in UTF-8 bytes: userName, e-mail addresses, external ids, group names. They are
 * unique, indexed and matched across sources; RFC 5321 caps an address at 254 octets, and this
 * leaves room for lower-casing (which can lengthen a string) under PostgreSQL's btree limit.
 */
export const MAX_KEY_BYTES = 1024;

/**
 * Largest other text in UTF-8 bytes (names, company). No person's name is this long; a longer
 * value is data in the wrong attribute (a photo, a certificate) and would be copied into every
 * person record, audit row and webhook that shows the name.
 */
export const MAX_TEXT_BYTES = 4096;

export type ValueProblem = 'invalid-value' | 'value-too-long';

/** A key may hold no control character (C0, DEL) and no U+FFFD, the mark of bytes that were not UTF-8. */
const NOT_A_KEY = /[\u0000-\u001f\u007f\ufffd]/;
/** Other text may hold tabs and the like, but not NUL (PostgreSQL refuses it) nor undecodable bytes. */
const NOT_TEXT = /[\u0000\ufffd]/;

/** What is wrong with `value` as a key or as text, or `undefined` when nothing is. */
export function valueProblem(value: string, kind: 'key' | 'text'): ValueProblem | undefined {
  const max = kind === 'key' ? MAX_KEY_BYTES : MAX_TEXT_BYTES;
  // A UTF-16 unit is at most 3 UTF-8 bytes: most values need no byte count at all.
  if (value.length * 3 > max && Buffer.byteLength(value, 'utf8') > max) return 'value-too-long';
  return (kind === 'key' ? NOT_A_KEY : NOT_TEXT).test(value) ? 'invalid-value' : undefined;
}

/** A directory string shortened for a skip's detail (a DN or value may be long or binary). */
export function clip(text: string, max = 200): string {
  const shown = text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return shown.length > max ? `${shown.slice(0, max)}… (${text.length} characters)` : shown;
}
