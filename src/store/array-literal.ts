/** A character that needs a backslash inside a double-quoted element of an array literal. */
const SPECIAL = /["\\]/;
const SPECIAL_ALL = /["\\]/g;

/**
 * A parameter that is an array of strings (and nulls) as PostgreSQL's array literal, the text
 * node-postgres would send for it, built for the batch sizes we send (a reconcile job passes about
 * 20 arrays of 500 values; a direct sync run's write 12 of 1,000). node-postgres escapes each
 * element with two regular-expression replaces and prepares it through its generic value path; a
 * test per element and one `join` cost less (docs/benchmarks.md). Anything else (numbers, booleans,
 * dates, nested arrays, buffers) is returned as it is, for node-postgres to serialise.
 */
export function arrayParameter(values: readonly unknown[]): unknown {
  let plain = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string') {
      if (plain && SPECIAL.test(v)) plain = false;
    } else if (v === null || v === undefined) {
      plain = false;
    } else {
      return values;
    }
  }
  if (values.length === 0) return '{}';
  if (plain) return `{"${values.join('","')}"}`;
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string | null | undefined;
    parts[i] = v === null || v === undefined ? 'NULL' : `"${v.replace(SPECIAL_ALL, '\\$&')}"`;
  }
  return `{${parts.join(',')}}`;
}
