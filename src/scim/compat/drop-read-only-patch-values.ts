import { isJsonObject } from '../json.js';
import { mapOperations, readOperation, withValue } from './json.js';
import type { Quirk } from './quirk.js';

const READ_ONLY = new Set(['id', 'meta', 'schemas']);

/**
 * Okta renames a pushed group with `{"op":"replace","value":{"id":"abf4dd94-…","displayName":"…"}}`.
 * `id` and `meta` are read-only and cannot change (RFC 7643 §3.1), and `schemas` describes the
 * message, not an attribute; once a pathless value is split into one operation per attribute
 * (see `expandPathlessReplace`) they would be rejected, so they are dropped here.
 */
export const dropReadOnlyPatchValues: Quirk = (body, { method }) => {
  if (method !== 'PATCH') return body;
  return mapOperations(body, (operation) => {
    const { path, value, op } = readOperation(operation);
    if (path !== undefined || !isJsonObject(value) || (op !== 'replace' && op !== 'add')) return operation;
    const keys = Object.keys(value);
    if (!keys.some((k) => READ_ONLY.has(k.toLowerCase()))) return operation;
    const rest = Object.fromEntries(Object.entries(value).filter(([k]) => !READ_ONLY.has(k.toLowerCase())));
    return Object.keys(rest).length === 0 ? undefined : withValue(operation, rest);
  });
};
