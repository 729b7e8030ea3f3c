/**
 * The provisioning log's recorder: for each request a source sent, what it asked (method, path,
 * the SCIM query parameters, how many operations) and what it was answered (status, `scimType`,
 * error detail, the resource ids touched), with its duration. Mounted before the SCIM router; the
 * entry is taken when the response has been sent and handed to a writer that batches it, so the
 * request never waits on the log.
 *
 * Nothing here reads a header or a body's values: only the count of `Operations`, the `Location`
 * the server itself set, and the ids in the path. Requests that no source authenticated are not a
 * source's to see and are not recorded (failed attempts are counted by the auth-failure limiter).
 */
import type { RequestHandler, Response } from 'express';
import type { ScimRequestEntry } from '../../store/events/provisioning-log.js';
import { storableText } from '../../store/storable-text.js';
import { isJsonObject, type JsonObject } from '../json.js';
import type { ScimContext } from '../request-context.js';
import type { ScimError } from '../scim-error.js';

/** Where entries go (the batching `RequestLogWriter`). */
export interface RequestLogSink {
  record(entry: ScimRequestEntry): void;
}

/** The query parameters RFC 7644 §3.4.2 defines (names compared case-insensitively, as the router reads them): the only ones an entry keeps. */
const SCIM_QUERY_PARAMETERS = new Set(['filter', 'attributes', 'excludedattributes', 'startindex', 'count', 'sortby', 'sortorder']);
const MAX_PATH = 1000;
const MAX_ERROR = 1000;
const MAX_RESOURCE_IDS = 1000;
/** The status logged for a request whose client went away before it was answered (as nginx logs it). */
export const CLIENT_CLOSED = 499;
const BULK_PATH = /^\/Bulk\/?$/i;
const RESOURCE_PATH = /^\/(?:Users|Groups)\/([^/]+)\/?$/i;

/** What the router knows that the recorder cannot see: the error it answered with, a Bulk request's results. */
interface Outcome {
  error?: { scimType: string | null; detail: string };
  resourceIds?: string[];
}

const OUTCOME = 'requestLogOutcome';

/** The router answered with this error (the scimType and detail the client was sent). */
export function noteScimError(res: Response, error: ScimError): void {
  outcomeOf(res).error = { scimType: error.scimType ?? null, detail: error.detail };
}

/** A Bulk request's results: the resources its operations touched, and its failed operations summed up as its error. */
export function noteBulkResponse(res: Response, response: JsonObject): void {
  const results = Array.isArray(response['Operations']) ? response['Operations'].filter(isJsonObject) : [];
  const outcome = outcomeOf(res);
  outcome.resourceIds = results.map((r) => lastSegment(r['location'])).filter((id): id is string => id !== undefined);
  const failed = results.filter((r) => Number(r['status']) >= 400);
  const first = failed[0];
  if (first === undefined) return;
  const body = isJsonObject(first['response']) ? first['response'] : {};
  const scimType = typeof body['scimType'] === 'string' ? ` ${body['scimType']}` : '';
  const detail = typeof body['detail'] === 'string' ? `: ${body['detail']}` : '';
  outcome.error = { scimType: null, detail: `${failed.length} of ${results.length} operations failed; the first: ${String(first['method'])} ${String(first['status'])}${scimType}${detail}` };
}

export function recordScimRequests(sink: RequestLogSink): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const at = new Date();
    // Read now: the router below rewrites req.url while it handles the request.
    const method = req.method;
    const path = req.path;
    const url = req.url;
    res.once('close', () => {
      const sourceId = (res.locals['scim'] as ScimContext | undefined)?.sourceId;
      if (sourceId === undefined) return;
      const outcome = res.locals[OUTCOME] as Outcome | undefined;
      const finished = res.writableFinished;
      const status = finished || res.headersSent ? res.statusCode : CLIENT_CLOSED;
      const body: unknown = req.body;
      const operations = (method === 'PATCH' || BULK_PATH.test(path)) && isJsonObject(body) && Array.isArray(body['Operations']) ? body['Operations'].length : null;
      sink.record({
        sourceId,
        at,
        method,
        // A client can put a NUL (`%00`) or a lone surrogate (a JSON `\ud800` quoted back in an error
        // detail) into what is logged: made storable, or it would fail the batch it is written in.
        path: storableText(clip(path + scimQuery(url), MAX_PATH)),
        status,
        scimType: outcome?.error?.scimType ?? null,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        operations,
        resourceIds: resourceIds(path, res, outcome),
        error: outcome?.error ? storableText(clip(outcome.error.detail, MAX_ERROR)) : finished ? null : 'the client closed the connection before the response was complete',
      });
    });
    next();
  };
}

function outcomeOf(res: Response): Outcome {
  const existing = res.locals[OUTCOME] as Outcome | undefined;
  if (existing) return existing;
  const outcome: Outcome = {};
  res.locals[OUTCOME] = outcome;
  return outcome;
}

/** The resource named in the path, the one a POST created (its `Location`), or a Bulk request's. */
function resourceIds(path: string, res: Response, outcome: Outcome | undefined): string[] {
  if (outcome?.resourceIds) return outcome.resourceIds.slice(0, MAX_RESOURCE_IDS).map(storableText);
  const named = RESOURCE_PATH.exec(path)?.[1];
  if (named !== undefined && !named.startsWith('.')) return [storableText(safeDecode(named))];
  const created = res.statusCode === 201 ? lastSegment(res.getHeader('location')) : undefined;
  return created === undefined ? [] : [created];
}

/** The SCIM query parameters of a URL, decoded for reading (`?filter=userName eq "x"`); others are left out. */
function scimQuery(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return '';
  const kept: string[] = [];
  for (const [name, value] of new URLSearchParams(url.slice(at + 1))) {
    if (SCIM_QUERY_PARAMETERS.has(name.toLowerCase())) kept.push(`${name}=${value}`);
  }
  return kept.length === 0 ? '' : `?${kept.join('&')}`;
}

function lastSegment(location: unknown): string | undefined {
  if (typeof location !== 'string') return undefined;
  const id = location.slice(location.lastIndexOf('/') + 1);
  return id === '' ? undefined : safeDecode(id);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
