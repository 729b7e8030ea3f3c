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
  const wanted = name.toLowerCase();
  for (const key of Object.keys(entry)) {
    if (key.toLowerCase() === wanted) return entry[key];
  }
  return undefined;
}

/** Every value of `name` as text (binary values decoded as UTF-8), empty strings dropped. */
export function texts(entry: LdapEntry, name: string): string[] {
  const raw = lookup(entry, name);
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (const v of list) {
    const s = typeof v === 'string' ? v : v.toString('utf8');
    if (s.trim() !== '') out.push(s.trim());
  }
  return out;
}

/** The first value of the first attribute in `names` that has one. */
export function firstText(entry: LdapEntry, names: readonly string[]): string | undefined {
  for (const name of names) {
    const v = texts(entry, name)[0];
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The first value of `name` as bytes (for objectGUID / objectSid). */
export function firstBinary(entry: LdapEntry, name: string): Buffer | undefined {
  const raw = lookup(entry, name);
  if (raw === undefined) return undefined;
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined) return undefined;
  return typeof v === 'string' ? undefined : v;
}
