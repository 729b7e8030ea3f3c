/**
 * A search filter from the config (`users.filter`, `groups.filter`) made fit to be combined with
 * the filters the connector adds (`(&<filter>(modifyTimestamp>=…))` on deltas, member lookups).
 *
 * - Exactly one filter (RFC 4515 §3), checked with ldapts' own parser, so that the combination is
 *   one filter too. Without the check `(uid=a)(uid=b)` fails every full run but is accepted inside
 *   a delta's `(&…)`, where it means something else.
 * - The outer parentheses are optional in the config (ldapts adds them to a whole filter) but not
 *   inside `(&…)`: without them every delta failed with "Missing paren".
 * - RFC 4515 writes a non-ASCII value either as UTF-8 characters or as its UTF-8 bytes escaped
 *   (`Zo\c3\ab`). ldapts turns each `\XX` into one character, so the escaped form sent `Zoë` as
 *   `ZoÃ«` and matched nothing: escaped UTF-8 is decoded here into the characters it spells.
 *   Escaped bytes that are not UTF-8 (a binary value such as an objectGUID) cannot be sent through
 *   ldapts' parser at all, and are refused rather than silently matching nothing.
 */
import { FilterParser } from 'ldapts';
import { IdsyncError } from '../../src/errors.js';

export class InvalidFilterError extends IdsyncError<'invalid_ldap_filter'> {
  constructor(message: string) {
    super('invalid_ldap_filter', message);
  }
}

/** Runs of escaped bytes at or above 0x80: the escaped form of non-ASCII characters. */
const ESCAPED_HIGH_BYTES = /(?:\\[89a-fA-F][0-9a-fA-F])+/g;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The filter to combine and send, or an `InvalidFilterError` saying what is wrong with it. */
export function configuredFilter(text: string): string {
  const trimmed = text.trim();
  const whole = trimmed.startsWith('(') ? trimmed : `(${trimmed})`;
  const decoded = whole.replace(ESCAPED_HIGH_BYTES, (run) => {
    const bytes = Uint8Array.from(run.slice(1).split('\\'), (pair) => Number.parseInt(pair, 16));
    try {
      return UTF8.decode(bytes);
    } catch {
      throw new InvalidFilterError(`"${run}" is not UTF-8: binary values cannot be used in a configured filter`);
    }
  });
  // ldapts' parser stops at the end of the string without checking that every "(" was closed
  // (it takes "(&(uid=a)" for a filter); a value's parentheses are escaped (\28, \29), so every
  // raw one is structure.
  if (!balanced(decoded)) throw new InvalidFilterError('not one LDAP filter (RFC 4515): its parentheses do not pair up into one filter');
  try {
    FilterParser.parseString(decoded);
  } catch (error) {
    throw new InvalidFilterError(`not one LDAP filter (RFC 4515): ${(error as Error).message.replace(/\. Full string: .*$/s, '')}`);
  }
  return decoded;
}

/** True when the parentheses close exactly at the last character, and not before. */
function balanced(filter: string): boolean {
  let depth = 0;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0 && i !== filter.length - 1) return false;
  }
  return depth === 0;
}
