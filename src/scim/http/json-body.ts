/**
 * How the SCIM server reads a request body: JSON of any content type (IdPs send
 * application/scim+json, application/json, and sometimes neither), at most `limitBytes`, and at
 * most `MAX_JSON_DEPTH` levels deep. The depth limit keeps every later step — the IdP-quirk
 * pipeline, scimmy's coercion, serialisation — from recursing out of stack on a body such as
 * `{"name":{"a":{"a":…}}}` 10,000 levels deep, which JSON.parse itself accepts.
 */
import express, { type RequestHandler } from 'express';
import { ScimError } from '../scim-error.js';

/** Deeper than any SCIM body: a Bulk operation's PATCH of a group's members is 8 levels. */
export const MAX_JSON_DEPTH = 32;

export function jsonBody(options: { limitBytes: number }): RequestHandler[] {
  const parse = express.json({ limit: options.limitBytes, type: () => true, strict: true });
  const depth: RequestHandler = (req, _res, next) => {
    if (nestsDeeperThan(req.body, MAX_JSON_DEPTH)) throw new ScimError(400, 'invalidSyntax', `The request body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`);
    next();
  };
  return [parse, depth];
}

/** Whether `value` has objects or arrays nested more than `max` levels; iterative, so any depth is measured. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { node, depth } = item;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}
