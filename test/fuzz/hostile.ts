/** Hostile values shared by the fuzzers: strings that break parsers, SQL and displays, and JSON that is too big or too deep. */
import fc from 'fast-check';

/** Fragments that have broken string handling somewhere: quoting, escaping, SQL, unicode. */
export const HOSTILE_FRAGMENTS = [
  '"', "'", '\\', '\\"', '\\\\', '""', "''", '`',
  "' or '1'='1", '" or "1"="1', "'; drop table source_users; --", '" ; select pg_sleep(10); --', ') or (1=1', '$1', '::uuid', '::text', '/*', '*/', '--',
  '%', '_', '%_%', '\\%', '[', ']', '(', ')', '{', '}', ',', ';', ':', '.', '..', '/', '%2F', '%00', '%ED%A0%80',
  '\u0000', '\u0000\u0000', '\u0001', '\u001f', '\u007f', '\n', '\r\n', '\t', '\u2028', '\u2029', '\ufeff', '\ufffd', '\uffff',
  '\ud800', '\udfff', '\udc00\ud800', '\ud83d\ude00', '\u202e', '\u200f', '\u200e', '\u061c', '\u2066', '\u200b', '\u200d',
  'e\u0301', 'a\u0308\u0308\u0308\u0308\u0308\u0308', 'Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034d',
  'İ', 'ß', 'ﬁ', 'Ω', 'Å', 'ǅ', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '🏳️‍🌈', 'عربي', 'עברית',
  ' and ', ' or ', 'not ', ' eq ', ' pr', 'null', 'true', 'false', '__proto__', 'constructor', 'prototype', '${7*7}', '{{7*7}}', '<script>', '=cmd|\' /C calc\'!A0',
];

/** A string assembled from hostile fragments and arbitrary code units (lone surrogates included). */
export const hostileString: fc.Arbitrary<string> = fc
  .array(fc.oneof({ arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS), weight: 3 }, { arbitrary: fc.string({ unit: 'binary', maxLength: 8 }), weight: 1 }, { arbitrary: fc.string({ maxLength: 8 }), weight: 1 }), { maxLength: 6 })
  .map((parts) => parts.join(''));

/** JSON text spliced into a body as is: too deep or too big to build as a value (the test would overflow first). */
export class RawJson {
  constructor(readonly text: string, readonly label: string) {}
}

/** `[[[…]]]` or `{"a":{"a":…}}` `depth` levels deep. */
export function deeplyNested(depth: number, kind: 'array' | 'object'): RawJson {
  const text = kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  return new RawJson(text, `${kind} nested ${depth} deep`);
}

/** Values that are too much: 1 MB strings, 10,000-element arrays, deep nesting. */
export const hugeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(fc.constantFrom('a', 'é', '\u0000', '"', '\ud800'), fc.constantFrom(1_000_000, 900_000, 1_048_576)).map(([c, n]) => new RawJson(JSON.stringify(c.repeat(n)), `${n} × ${JSON.stringify(c)}`)),
  fc.constantFrom(10_000, 9_999).map((n) => Array.from({ length: n }, (_, i) => `v${i}`)),
  fc.constantFrom(10_000).map((n) => Array.from({ length: n }, (_, i) => ({ value: `u${i}@example.com`, type: 'work' }))),
  fc.tuple(fc.constantFrom(100, 1_000, 10_000, 100_000), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([d, k]) => deeplyNested(d, k)),
);

/** Any JSON value, small, with hostile strings. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53, '', ' ', 'true', 'false', '1', 'null'),
    hostileString,
    fc.double({ noNaN: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom('value', 'type', 'primary', 'display', '$ref', 'op', 'path', '__proto__', 'constructor'), hostileString), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A wrong value for any attribute: another type, hostile text, or far too much. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof({ arbitrary: anyJson, weight: 20 }, { arbitrary: hugeValue, weight: 1 });

/** `JSON.stringify`, with `RawJson` values spliced in as their text. */
export function toJsonText(value: unknown): string {
  const raws: RawJson[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawJson) {
      raws.push(v);
      return `@@raw:${raws.length - 1}@@`;
    }
    return v;
  });
  if (text === undefined) return 'null';
  return raws.length === 0 ? text : text.replace(/"@@raw:(\d+)@@"/g, (_m, i: string) => raws[Number(i)]?.text ?? 'null');
}

/** A short description for failure messages: no megabytes in the output. */
export function abbreviate(text: string, max = 600): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
