/**
 * Distinguished names (RFC 4514) reduced to one comparable form, so that a group's
 * `member: UID=User1, OU=People,dc=example,dc=com` finds the entry the server returned as
 * `uid=user1,ou=people,dc=example,dc=com`.
 *
 * The normal form lower-cases attribute types and values, resolves escapes, drops insignificant
 * spaces and orders the AVAs of a multi-valued RDN. Lower-casing values is right for the naming
 * attributes directories use (cn, uid, ou, dc, o, l — all case-insensitive); a directory that
 * names entries by a case-sensitive attribute could in theory see two DNs merged.
 */
import { IdsyncError } from '../../src/errors.js';

export class InvalidDnError extends IdsyncError<'invalid_dn'> {
  constructor(reason: string) {
    super('invalid_dn', `invalid DN: ${reason}`);
  }
}

const HEX = /^[0-9a-fA-F]{2}$/;
const SPECIAL = new Set([',', '+', '"', '\\', '<', '>', ';', '=', ' ', '#']);

/** Splits on an unescaped separator, keeping escapes intact. */
function splitUnescaped(text: string, separators: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\') {
      if (i + 1 >= text.length) throw new InvalidDnError('trailing backslash');
      current += c + (text[i + 1] as string);
      i++;
    } else if (separators.includes(c)) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/** Resolves `\XX` hex pairs and `\<special>` escapes; decodes the bytes as UTF-8. */
function unescapeValue(raw: string): string {
  const bytes: number[] = [];
  const pushText = (s: string) => bytes.push(...Buffer.from(s, 'utf8'));
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c !== '\\') {
      pushText(c);
      continue;
    }
    const pair = raw.slice(i + 1, i + 3);
    if (HEX.test(pair)) {
      bytes.push(Number.parseInt(pair, 16));
      i += 2;
    } else {
      const next = raw[i + 1];
      if (next === undefined || !SPECIAL.has(next)) throw new InvalidDnError(`bad escape "\\${next ?? ''}"`);
      pushText(next);
      i += 1;
    }
  }
  const decoded = Buffer.from(bytes).toString('utf8');
  if (decoded.includes('\uFFFD')) throw new InvalidDnError('value is not UTF-8');
  return decoded;
}

function escapeValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    const edge = (i === 0 && (c === ' ' || c === '#')) || (i === value.length - 1 && c === ' ');
    if (edge || c === ',' || c === '+' || c === '"' || c === '\\' || c === '<' || c === '>' || c === ';' || c === '=') {
      out += `\\${c}`;
    } else if (c === '\0') {
      out += '\\00';
    } else {
      out += c;
    }
  }
  return out;
}

function normalizeAva(ava: string): string {
  const eq = ava.indexOf('=');
  if (eq < 0) throw new InvalidDnError(`"${ava.trim()}" has no "="`);
  const type = ava.slice(0, eq).trim().toLowerCase();
  if (!/^([a-z][a-z0-9-]*|\d+(\.\d+)*)$/.test(type)) throw new InvalidDnError(`bad attribute type "${type}"`);
  // Leading spaces are never significant; trailing ones only when escaped ("\ ").
  let raw = ava.slice(eq + 1).replace(/^ +/, '');
  while (raw.endsWith(' ') && !raw.endsWith('\\ ')) raw = raw.slice(0, -1);
  if (raw.startsWith('#')) {
    // BER-encoded value: compare its hex form.
    if (!/^#([0-9a-fA-F]{2})+$/.test(raw)) throw new InvalidDnError(`bad hex value "${raw}"`);
    return `${type}=${raw.toLowerCase()}`;
  }
  if (raw.startsWith('"')) throw new InvalidDnError('quoted values are not supported');
  const value = unescapeValue(raw).toLowerCase().normalize('NFC').replace(/\s+/g, ' ').trim();
  return `${type}=${escapeValue(value)}`;
}

/**
 * The common case — printable ASCII without escapes, quotes, multi-valued RDNs or hex values —
 * normalised without the general parser, which is much slower, and a large directory's groups
 * name hundreds of thousands of member DNs (docs/benchmarks.md).
 */
const SIMPLE_RDN = String.raw`[A-Za-z][A-Za-z0-9-]* *= *[^\s\\"+#,;<>=][^\\"+,;<>=]*`;
const SIMPLE_DN = new RegExp(`^ *${SIMPLE_RDN}(?:, *${SIMPLE_RDN})*$`);

function simpleNormalize(dn: string): string {
  // Nothing to trim or collapse: the common case, without building a string per RDN.
  if (!/\s/.test(dn)) return canonicalCase(dn);
  return canonicalCase(dn)
    .split(',')
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      return `${rdn.slice(0, eq).trim()}=${rdn.slice(eq + 1).trim().replace(/\s+/g, ' ')}`;
    })
    .join(',');
}

/**
 * Lower case, and Unicode's composed form (NFC): a directory compares names by their characters,
 * so `Zoë` written with a combining diaeresis (as a member value may be, and OpenLDAP keeps it
 * so) names the same entry as the precomposed `Zoë` the server returns as its DN.
 */
function canonicalCase(text: string): string {
  const lower = text.toLowerCase();
  return NON_ASCII.test(lower) ? lower.normalize('NFC') : lower;
}

const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * The normal form of a DN, or an `InvalidDnError`. The empty DN (root DSE) normalises to "".
 */
export function normalizeDn(dn: string): string {
  if (dn.trim() === '') return '';
  if (SIMPLE_DN.test(dn)) return simpleNormalize(dn);
  return splitUnescaped(dn, ',;')
    .map((rdn) => {
      if (rdn.trim() === '') throw new InvalidDnError('empty RDN');
      return splitUnescaped(rdn, '+').map(normalizeAva).sort().join('+');
    })
    .join(',');
}

/**
 * A `uniqueMember` value (RFC 4517 §3.3.21 NameAndOptionalUID: a DN, then optionally `#'0101'B`)
 * without its bit string, which names no entry.
 */
export function withoutOptionalUid(value: string): string {
  return value.replace(/(?<!\\)#'[01]*'B$/, '');
}

/** `normalizeDn`, or `undefined` for an unparsable DN. */
export function tryNormalizeDn(dn: string): string | undefined {
  try {
    return normalizeDn(dn);
  } catch (err) {
    if (err instanceof InvalidDnError) return undefined;
    throw err;
  }
}

/** True when `dn` is `base` or below it (both already normalised). */
export function isDescendantOrSelf(dn: string, base: string): boolean {
  return base === '' || dn === base || dn.endsWith(`,${base}`);
}
