import { hash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so equal content always hashes equal. */
export function stableStringify(value: unknown): string {
  // Records are mostly built with their keys in order already; then JSON.stringify gives the same
  // text natively, much faster (a sync hashes every user it reads; docs/benchmarks.md, bench:ldap).
  return inKeyOrder(value) ? (JSON.stringify(value) ?? 'null') : sortedStringify(value);
}

function sortedStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + sortedStringify(value[i]);
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  let out = '{';
  for (const key of Object.keys(object).sort()) {
    const v = object[key];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${sortedStringify(v)}`;
  }
  return `${out}}`;
}

/**
 * True when `JSON.stringify(value)` is its sorted form: plain objects whose keys come in sorted
 * order (as `JSON.stringify` lists them), arrays, and JSON primitives.
 */
function inKeyOrder(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (Array.isArray(value)) {
    // Strings, most of what records hold, settle without a call.
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v !== 'string' && !inKeyOrder(v)) return false;
    }
    return true;
  }
  // toJSON (Date) and class instances take the general path.
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    const v = (value as Record<string, unknown>)[key];
    if (typeof v !== 'string' && !inKeyOrder(v)) return false;
  }
  return true;
}

export function contentHash(value: unknown): string {
  return hash('sha256', stableStringify(value), 'base64url');
}
