import { findKey, mapOperations } from './json.js';
import type { Quirk } from './quirk.js';

const OPS = new Set(['add', 'remove', 'replace']);

/**
 * Entra ID without `aadOptscim062020` capitalises the op: `{"op":"Replace","path":"active","value":"False"}`.
 * RFC 7644 §3.5.2 spells them in lower case; the op key itself is also normalised to `op`.
 */
export const lowercasePatchOps: Quirk = (body, { method }) => {
  if (method !== 'PATCH') return body;
  return mapOperations(body, (operation) => {
    const key = findKey(operation, 'op');
    const op = key === undefined ? undefined : operation[key];
    if (key === undefined || typeof op !== 'string') return operation;
    const lower = op.toLowerCase();
    if (!OPS.has(lower) || (op === lower && key === 'op')) return operation;
    const { [key]: _, ...rest } = operation;
    return { op: lower, ...rest };
  });
};
