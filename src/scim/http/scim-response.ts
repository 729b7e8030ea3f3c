/** How the SCIM routes read a request's parts and write a response: one content type, ETags. */
import type { Request, Response } from 'express';
import { isJsonObject, type JsonObject } from '../json.js';
import type { QueryParams } from '../list-query.js';
import { matchesEtag } from '../preconditions.js';
import type { ScimContext } from '../request-context.js';
import { ScimError } from '../scim-error.js';
import { etagOf } from '../users/user-resource.js';
import { SCIM_CONTENT_TYPE } from './content-type.js';

/** The authenticated source and base URL, set by `authenticateSource`. */
export function ctxOf(res: Response): ScimContext {
  return res.locals['scim'] as ScimContext;
}

export function param(req: Request, name: string): string {
  const value = (req.params as Record<string, string | undefined>)[name];
  return value ?? '';
}

export function ifMatch(req: Request): string | undefined {
  return req.headers['if-match'];
}

export function found(resource: JsonObject | undefined, what: string): JsonObject {
  if (!resource) throw new ScimError(404, undefined, `${what} not found`);
  return resource;
}

/** Answers 304 when `If-None-Match` names the current version. */
export function notModified(req: Request, res: Response, version: number): boolean {
  const header = req.headers['if-none-match'];
  if (header === undefined || !matchesEtag(header, version)) return false;
  sendEmpty(res, 304, etagOf(version));
  return true;
}

/** A SearchRequest body (RFC 7644 §3.4.3) as the query parameters of a GET. */
export function searchQuery(body: unknown): QueryParams {
  if (!isJsonObject(body)) throw new ScimError(400, 'invalidSyntax', 'The request body must be a JSON object');
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'schemas') continue;
    if (Array.isArray(value)) query[key] = value.map(String).join(',');
    else if (typeof value === 'string' || typeof value === 'number') query[key] = String(value);
  }
  return query;
}

export function send(res: Response, status: number, body: unknown, etag?: string): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'content-type': SCIM_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) };
  if (etag !== undefined) headers['etag'] = etag;
  res.writeHead(status, headers);
  res.end(text);
}

export function sendEmpty(res: Response, status: number, etag?: string): void {
  res.writeHead(status, etag === undefined ? {} : { etag });
  res.end();
}
