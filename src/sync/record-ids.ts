import { createHash } from 'node:crypto';

/** The namespace of idsync's name-based (RFC 4122 version 5) ids for pulled records. */
const NAMESPACE = Buffer.from('6f1c1b9e4c7a4d0e9a8e2f3b5d7c9e11', 'hex');

/**
 * The observed-state id of a pulled record: a version-5 uuid of (source, kind, external id), so a
 * directory entry keeps its id across runs and group members can be named without a lookup.
 */
export function recordId(sourceId: string, kind: 'user' | 'group', externalId: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${sourceId}\u0000${kind}\u0000${externalId}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  return uuidText(hash);
}

const text = Buffer.alloc(36, '-');

/**
 * The first 16 bytes as uuid text, built in one buffer: a run holds hundreds of thousands of these
 * (member lists), and a string joined with `+` or a template is a tree of five pieces in V8.
 */
function uuidText(bytes: Buffer): string {
  const hex = bytes.toString('hex', 0, 16);
  text.write(hex.slice(0, 8), 0, 'latin1');
  text.write(hex.slice(8, 12), 9, 'latin1');
  text.write(hex.slice(12, 16), 14, 'latin1');
  text.write(hex.slice(16, 20), 19, 'latin1');
  text.write(hex.slice(20, 32), 24, 'latin1');
  return text.toString('latin1');
}
