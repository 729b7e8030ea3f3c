/** Small helpers for walking parsed JSON request bodies without mutating them. */
import { parsePatchPath } from '../filter/parse-patch-path.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../schema-urns.js';


/** The key of `object` that equals `name` ignoring case (SCIM attribute names are case-insensitive). */
export function findKey(object: JsonObject, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(object).find((k) => k.toLowerCase() === lower);
}

/** A PATCH request's operations, when `body` is shaped like one. */
export function patchOperations(body: unknown): { key: string; operations: unknown[] } | undefined {
  if (!isJsonObject(body)) return undefined;
  const key = findKey(body, 'Operations');
  const operations = key === undefined ? undefined : body[key];
  return key !== undefined && Array.isArray(operations) ? { key, operations } : undefined;
}

/**
 * `body` with each operation replaced by what `fn` returns for it: the operation itself (unchanged),
 * a replacement, several, or none. Returns `body` itself when nothing changed.
 */
export function mapOperations(body: unknown, fn: (operation: JsonObject) => unknown): unknown {
  const found = patchOperations(body);
  if (!found || !isJsonObject(body)) return body;
  let changed = false;
  const operations = found.operations.flatMap((operation) => {
    if (!isJsonObject(operation)) return [operation];
    const result = fn(operation);
    if (result !== operation) changed = true;
    return Array.isArray(result) ? result : result === undefined ? [] : [result];
  });
  return changed ? { ...body, [found.key]: operations } : body;
}

/** An operation's `op`, lower-cased, and its `path` and `value` (keys found case-insensitively). */
export function readOperation(operation: JsonObject): { op: string | undefined; path: string | undefined; value: unknown; valueKey: string | undefined } {
  const opKey = findKey(operation, 'op');
  const pathKey = findKey(operation, 'path');
  const valueKey = findKey(operation, 'value');
  const op = opKey === undefined ? undefined : operation[opKey];
  const path = pathKey === undefined ? undefined : operation[pathKey];
  return {
    op: typeof op === 'string' ? op.toLowerCase() : undefined,
    path: typeof path === 'string' ? path : undefined,
    value: valueKey === undefined ? undefined : operation[valueKey],
    valueKey,
  };
}

/** `operation` with its value replaced (under the key it already used, else `value`). */
export function withValue(operation: JsonObject, value: unknown): JsonObject {
  return { ...operation, [findKey(operation, 'value') ?? 'value']: value };
}

/** What a PATCH path or resource key names, in lower case; `schema` is `core`, `enterprise` or another URN. */
export interface Target {
  schema: 'core' | 'enterprise' | string;
  attribute: string;
  subAttribute?: string;
  filtered: boolean;
}

/** The target of a PATCH path or of a (possibly dotted or URN-prefixed) key; undefined if it is not a path. */
export function targetOf(path: string): Target | undefined {
  let parsed;
  try {
    parsed = parsePatchPath(path);
  } catch {
    return undefined;
  }
  const schema = parsed.path.schema?.toLowerCase();
  const target: Target = {
    schema:
      schema === undefined || schema === USER_SCHEMA.toLowerCase() || schema === GROUP_SCHEMA.toLowerCase()
        ? 'core'
        : schema === ENTERPRISE_USER_SCHEMA.toLowerCase()
          ? 'enterprise'
          : schema,
    attribute: parsed.path.attribute.toLowerCase(),
    filtered: parsed.filter !== undefined,
  };
  const sub = parsed.subAttribute ?? parsed.path.subAttribute;
  if (sub !== undefined) target.subAttribute = sub.toLowerCase();
  return target;
}

export function isSchemaKey(key: string, schema: string): boolean {
  return key.toLowerCase() === schema.toLowerCase();
}
