import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

/** An admin-API failure with a stable `code`; serialised as `{"error":{"code","message"}}`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, 'not_found', `${what} not found`);
export const badRequest = (message: string): ApiError => new ApiError(400, 'invalid_request', message);

export function apiNotFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new ApiError(404, 'not_found', `no such endpoint: ${req.method} ${req.path}`));
}

/** The one place admin-API errors become responses. Anything unexpected is a 500 without internals. */
export function apiErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof ApiError) {
      res.status(error.status).json({ error: { code: error.code, message: error.message } });
      return;
    }
    const status = (error as { status?: unknown; type?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // express.json() and friends: malformed JSON, body too large, wrong charset
      const type = String((error as { type?: unknown }).type ?? 'invalid_request');
      const code = type === 'entity.too.large' ? 'payload_too_large' : type === 'entity.parse.failed' ? 'invalid_json' : 'invalid_request';
      res.status(status).json({ error: { code, message: (error as Error).message } });
      return;
    }
    logger.error({ err: { message: (error as Error)?.message, stack: (error as Error)?.stack }, method: req.method, path: req.path }, 'request failed');
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
}
