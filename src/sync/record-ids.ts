import { hash } from 'node:crypto';

/** The namespace of idsync's name-based (RFC 4122 version 5) ids for pulled records. */
const NAMESPACE = Buffer.from('6f1c1b9e4c7a4d0e9a8e2f3b5d7c9e11', 'hex');

/** The hashed input (namespace, then the name), built in one reused buffer. */
const input = Buffer.alloc(4096);
NAMESPACE.copy(input, 0);
const text = Buffer.alloc(36, '-');
const VARIANT = '89ab';

/**
 * The observed-state id of a pulled record: a version-5 uuid of (source, kind, external id), so a
 * directory entry keeps its id across runs and group members can be named without a lookup.
 *
 * A run computes one for every user and every group member, so this avoids a Hash object per
 * call (one-shot `crypto.hash`), and builds the text in one buffer: a string joined with `+` or a
 * template is a tree of five pieces in V8, and a run holds hundreds of thousands of these.
 */
export function recordId(sourceId: string, kind: 'user' | 'group', externalId: string): string {
  const name = `${sourceId}\u0000${kind}\u0000${externalId}`;
  // utf8 takes at most 3 bytes per UTF-16 unit: when that may not fit, hash a buffer of its own.
  const data = name.length * 3 <= input.length - 16 ? input.subarray(0, 16 + input.write(name, 16, 'utf8')) : Buffer.concat([NAMESPACE, Buffer.from(name, 'utf8')]);
  const hex = hash('sha1', data, 'hex');
  text.write(hex.slice(0, 8), 0, 'latin1');
  text.write(hex.slice(8, 12), 9, 'latin1');
  // Version 5 in the high nibble of byte 6; variant 10xx in the high bits of byte 8.
  text.write('5', 14, 'latin1');
  text.write(hex.slice(13, 16), 15, 'latin1');
  text.write(VARIANT[Number.parseInt(hex.charAt(16), 16) & 3] as string, 19, 'latin1');
  text.write(hex.slice(17, 20), 20, 'latin1');
  text.write(hex.slice(20, 32), 24, 'latin1');
  return text.toString('latin1');
}
