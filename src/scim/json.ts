/** Small helpers for the JSON the SCIM server reads and writes. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` without the keys whose value is `undefined` or `null` (an unassigned attribute, RFC 7643 §2.5). */
export function compact<T extends JsonObject>(value: T): T {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined && v !== null) out[key] = v;
  return out as T;
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
