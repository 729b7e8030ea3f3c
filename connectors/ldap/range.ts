/**
 * Active Directory range retrieval (MS-ADTS §3.1.1.3.1.3.3): a multi-valued attribute with more
 * values than MaxValRange (1,500 by default) comes back as `member;range=0-1499` and the rest
 * must be asked for as `member;range=1500-*`, … until the server answers with a range ending `*`.
 */
import type { LdapEntry } from './entry.js';

export interface RangedValues {
  values: string[];
  /** The first index still to fetch, when the server cut the list short. */
  next: number | undefined;
}

const RANGE = /^([^;]+);range=(\d+)-(\d+|\*)$/i;

/**
 * The values of `attribute` in an entry, whether plain or ranged. A ranged key with no values is
 * ignored (ldapts adds an empty placeholder under every requested attribute name).
 */
export function rangedValues(entry: LdapEntry, attribute: string): RangedValues {
  const wanted = attribute.toLowerCase();
  let plain: string[] = [];
  for (const [key, raw] of Object.entries(entry)) {
    if (key === 'dn') continue;
    const values = toStrings(raw);
    const m = RANGE.exec(key);
    if (m) {
      if ((m[1] as string).toLowerCase() !== wanted || values.length === 0) continue;
      const end = m[3] as string;
      return { values, next: end === '*' ? undefined : Number(end) + 1 };
    }
    if (key.toLowerCase() === wanted) plain = values;
  }
  return { values: plain, next: undefined };
}

function toStrings(raw: LdapEntry[string]): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
}

/** Reads one entry (base scope) with exactly the attributes asked for. */
export type ReadEntry = (dn: string, attributes: string[]) => Promise<LdapEntry | undefined>;

/**
 * Completes a ranged attribute: asks for `attr;range=<next>-*` until the last range (`…-*`)
 * arrives. Stops (without looping forever) when the server returns nothing more or a range that
 * does not advance.
 */
export async function readAllValues(read: ReadEntry, dn: string, attribute: string, first: RangedValues): Promise<string[]> {
  const values = [...first.values];
  let next = first.next;
  while (next !== undefined) {
    const entry = await read(dn, [`${attribute};range=${next}-*`]);
    if (!entry) break;
    const chunk = rangedValues(entry, attribute);
    if (chunk.values.length === 0) break;
    for (const v of chunk.values) values.push(v);
    if (chunk.next !== undefined && chunk.next <= next) {
      throw new Error(`range retrieval of ${attribute} did not advance past ${next}`);
    }
    next = chunk.next;
  }
  return values;
}
