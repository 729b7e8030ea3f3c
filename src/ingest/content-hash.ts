import { hash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so equal content always hashes equal. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + stableStringify(value[i]);
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  let out = '{';
  for (const key of Object.keys(object).sort()) {
    const v = object[key];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${stableStringify(v)}`;
  }
  return `${out}}`;
}

export function contentHash(value: unknown): string {
  return hash('sha256', stableStringify(value), 'base64url');
}
