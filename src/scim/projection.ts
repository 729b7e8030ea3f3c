/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5) applied to a resource about to be sent.
 * `id` and `schemas` are always returned; names are case-insensitive; a path may name a
 * sub-attribute (`name.givenName`, `emails.value`) and may carry its schema URN
 * (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`, or the URN alone for
 * the whole extension). Paths naming nothing the resource has are ignored.
 */
import { isJsonObject, type JsonObject } from './json.js';
import type { Projection } from './list-query.js';

const ALWAYS = new Set(['id', 'schemas']);

interface Target {
  /** The top-level key: an attribute, or an extension URN. */
  key: string;
  /** Below it: `[attribute]` or `[attribute, subAttribute]` inside an extension, `[subAttribute]` in the core. */
  rest: string[];
}

export function isProjected(projection: Projection): boolean {
  return projection.attributes !== undefined || projection.excludedAttributes !== undefined;
}

/** Whether `attribute` (a top-level core attribute, lower case) is returned under `projection`. */
export function includesAttribute(projection: Projection, attribute: string, schemas: readonly string[]): boolean {
  const matches = (path: string) => {
    const t = toTarget(path, schemas);
    return t.key === attribute;
  };
  if (projection.attributes && !projection.attributes.some(matches)) return false;
  if (projection.excludedAttributes?.some((p) => matches(p) && toTarget(p, schemas).rest.length === 0)) return false;
  return true;
}

export function project(resource: JsonObject, projection: Projection, schemas: readonly string[]): JsonObject {
  if (projection.attributes) {
    const out: JsonObject = {};
    const wanted = projection.attributes.map((p) => toTarget(p, schemas));
    for (const [key, value] of Object.entries(resource)) {
      const lower = key.toLowerCase();
      if (ALWAYS.has(lower)) {
        out[key] = value;
        continue;
      }
      const mine = wanted.filter((t) => t.key === lower);
      if (mine.length === 0) continue;
      if (mine.some((t) => t.rest.length === 0)) out[key] = value;
      else {
        const picked = pick(value, mine.map((t) => t.rest));
        if (picked !== undefined) out[key] = picked;
      }
    }
    return out;
  }
  if (projection.excludedAttributes) {
    const out: JsonObject = { ...resource };
    for (const target of projection.excludedAttributes.map((p) => toTarget(p, schemas))) {
      const key = Object.keys(out).find((k) => k.toLowerCase() === target.key);
      if (key === undefined || ALWAYS.has(target.key)) continue;
      if (target.rest.length === 0) delete out[key];
      else {
        const remaining = omit(out[key], target.rest);
        if (remaining === undefined) delete out[key];
        else out[key] = remaining;
      }
    }
    return out;
  }
  return resource;
}

function toTarget(path: string, schemas: readonly string[]): Target {
  const lower = path.toLowerCase();
  for (const schema of schemas) {
    const urn = schema.toLowerCase();
    if (lower === urn) return { key: urn, rest: [] };
    if (lower.startsWith(`${urn}:`)) {
      const inner = lower.slice(urn.length + 1).split('.');
      // The core schema's URN qualifies a core attribute; an extension's, an attribute inside it.
      return schemas[0]?.toLowerCase() === urn ? { key: inner[0] ?? '', rest: inner.slice(1) } : { key: urn, rest: inner };
    }
  }
  const [key = '', ...rest] = lower.split('.');
  return { key, rest };
}

/** The parts of `value` (an object, or an array of objects) that `paths` name. */
function pick(value: unknown, paths: string[][]): unknown {
  if (Array.isArray(value)) {
    const picked = value.map((v) => pick(v, paths)).filter((v) => v !== undefined);
    return picked.length > 0 ? picked : undefined;
  }
  if (!isJsonObject(value)) return undefined;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    const lower = key.toLowerCase();
    const mine = paths.filter((p) => p[0] === lower);
    if (mine.length === 0) continue;
    if (mine.some((p) => p.length === 1)) out[key] = v;
    else {
      const inner = pick(v, mine.map((p) => p.slice(1)));
      if (inner !== undefined) out[key] = inner;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function omit(value: unknown, path: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => omit(v, path)).filter((v) => v !== undefined);
  if (!isJsonObject(value)) return value;
  const [head, ...rest] = path;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (key.toLowerCase() !== head) out[key] = v;
    else if (rest.length > 0) {
      const inner = omit(v, rest);
      if (inner !== undefined) out[key] = inner;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
