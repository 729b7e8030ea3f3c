import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { IdsyncError } from '../errors.js';
import { sqlState } from '../store/db.js';
import { API_ERROR_STATUS, isApiErrorCode, type ApiErrorCode } from './error-status.js';

/** A refusal of the admin API itself (authentication, paging, body parsing); its status comes from `API_ERROR_STATUS`. */
export class ApiError extends IdsyncError<ApiErrorCode> {}

export const notFound = (what: string): ApiError => new ApiError('not_found', `${what} not found`);
export const badRequest = (message: string): ApiError => new ApiError('invalid_request', message);

export function apiNotFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new ApiError('not_found', `no such endpoint: ${req.method} ${req.path}`));
}

/**
 * The one place admin-API errors become responses. A failure express or its body parsers mark as
 * the client's (an http-errors 4xx) keeps its status and gets our words: their messages quote the
 * request back or name library internals (`Failed to decode param '%FF'`, `incorrect header
 * check`). PostgreSQL refusing a value the client sent (a NUL character, a number out of range:
 * SQLSTATE classes 22 and 54) is a 400 too. An `IdsyncError` whose code the API knows (an
 * `AdminError`, a run already in progress, …) is answered with its code and message. Anything
 * unexpected is a 500 without internals.
 */
export function apiErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known = forClients(error) ?? clientFault(error);
    if (known) {
      res.status(API_ERROR_STATUS[known.code]).json({ error: { code: known.code, message: known.message } });
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    res.status(API_ERROR_STATUS.internal).json({ error: { code: 'internal', message: 'internal error' } });
  };
}

/** An error of the family whose code is one of the API's: its message is written for the client. */
function forClients(error: unknown): { code: ApiErrorCode; message: string } | undefined {
  if (!(error instanceof IdsyncError) || !isApiErrorCode(error.code)) return undefined;
  return { code: error.code, message: error.message };
}

/** express.json() and friends (malformed JSON, too large, wrong charset or encoding), the router's undecodable path, and values PostgreSQL refuses. */
function clientFault(error: unknown): { code: ApiErrorCode; message: string } | undefined {
  const state = sqlState(error);
  if (state !== undefined && (state.startsWith('22') || state.startsWith('54'))) {
    return new ApiError('invalid_value', 'a value in the request cannot be stored (too long, or it contains a character that is not allowed)', { cause: error });
  }
  const e = error as { status?: unknown; type?: unknown; expose?: unknown } | null;
  if (typeof e?.status !== 'number' || e.status < 400 || e.status >= 500) return undefined;
  if (typeof e.type !== 'string' && e.expose !== true && !(error instanceof URIError)) return undefined;
  // Express decodes each path parameter with decodeURIComponent: its URIError, marked 400.
  if (error instanceof URIError) return new ApiError('invalid_path', 'the request path is not valid: a percent-encoded part does not decode to UTF-8', { cause: error });
  if (e.type === 'entity.parse.failed') return new ApiError('invalid_json', 'the request body is not valid JSON', { cause: error });
  if (e.type === 'entity.too.large') return new ApiError('payload_too_large', 'the request body is larger than the server accepts', { cause: error });
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return new ApiError('unsupported_media_type', 'the request body has a content encoding or charset the server does not read', { cause: error });
  // Whatever else body-parser marks as the client's (a body that does not decompress, or is shorter
  // or longer than its Content-Length said) is a 400.
  return new ApiError('invalid_request', 'the request body cannot be read', { cause: error });
}
