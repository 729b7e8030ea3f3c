/**
 * A search entry as ldapts returns it, and case-insensitive access to its attributes.
 * ldapts keys attributes by the type the *server* sent (`entryUUID`, `objectGUID`) and returns a
 * single value as a scalar and several as an array; these helpers hide both.
 */

export interface LdapEntry {
  dn: string;
  [attribute: string]: string | string[] | Buffer | Buffer[];
}

function lookup(entry: LdapEntry, name: string): LdapEntry[string] | undefined {
  const direct = entry[name];
  if (direct !== undefined) return direct;
  // Most lookups that miss are of an attribute the entry does not have: compare lengths before
  // lower-casing anything (`lookup` runs about ten times per user).
  let wanted: string | undefined;
  for (const key in entry) {
    if (key.length !== name.length) continue;
    wanted ??= name.toLowerCase();
    if (key.toLowerCase() === wanted) return entry[key];
  }
  return undefined;
}

/** Every value of `name` as text (binary values decoded as UTF-8), empty strings dropped. */
export function texts(entry: LdapEntry, name: string): string[] {
  const raw = lookup(entry, name);
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    const s = text(raw);
    return s === '' ? [] : [s];
  }
  const out: string[] = [];
  for (const v of raw) {
    const s = text(v);
    if (s !== '') out.push(s);
  }
  return out;
}

/** The first value of the first attribute in `names` that has one. */
export function firstText(entry: LdapEntry, names: readonly string[]): string | undefined {
  // Called about ten times per user: it walks the values instead of building `texts`' arrays.
  for (const name of names) {
    const raw = lookup(entry, name);
    if (raw === undefined) continue;
    if (!Array.isArray(raw)) {
      const s = text(raw);
      if (s !== '') return s;
      continue;
    }
    for (const v of raw) {
      const s = text(v);
      if (s !== '') return s;
    }
  }
  return undefined;
}

function text(value: string | Buffer): string {
  return (typeof value === 'string' ? value : value.toString('utf8')).trim();
}

/** The first value of `name` as bytes (for objectGUID / objectSid). */
export function firstBinary(entry: LdapEntry, name: string): Buffer | undefined {
  const raw = lookup(entry, name);
  if (raw === undefined) return undefined;
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined) return undefined;
  return typeof v === 'string' ? undefined : v;
}
