/**
 * Every failure of a SCIM request as a `ScimError` — the SCIM surface's one choice of status: ours
 * as they are, a write that breaks a uniqueness rule of the source (`IngestConflictError`) → 409
 * `uniqueness`, scimmy's with their status,
 * the body parser's (malformed JSON → 400 `invalidSyntax`, too large → 413), the router's (a path
 * segment whose percent-encoding is not UTF-8 → 400; a body that does not decompress → 400), and PostgreSQL
 * refusing a value the client sent (a NUL character, a userName too long to index) → 400
 * `invalidValue` — client input never yields a 5xx. Anything else is a 500 that reveals nothing.
 */
import { IngestConflictError } from '../../ingest/errors.js';
import { sqlState } from '../../store/db.js';
import { ScimError, toScimError } from '../scim-error.js';

export function scimErrorOf(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  const client = clientFault(error);
  if (client !== undefined) return client;
  if (error instanceof IngestConflictError) return new ScimError(409, 'uniqueness', `A ${error.resource} with this ${error.attribute} already exists`, { cause: error });
  const state = sqlState(error);
  if (state === '23505') return new ScimError(409, 'uniqueness', 'The resource conflicts with an existing one', { cause: error });
  if (state !== undefined && (state.startsWith('22') || state.startsWith('54'))) {
    return new ScimError(400, 'invalidValue', 'A value in the request cannot be stored (too long, or it contains a character that is not allowed)', { cause: error });
  }
  return toScimError(error);
}

/**
 * An error that express or its body parser marked as the client's (an http-errors 4xx: `status`
 * with a `type`, or `expose`), in our words: their messages quote the request back, or name the
 * library's internals (`incorrect header check`, `Failed to decode param '%'`).
 */
function clientFault(error: unknown): ScimError | undefined {
  const e = error as { type?: unknown; status?: unknown; expose?: unknown } | null;
  if (typeof e?.status !== 'number' || e.status < 400 || e.status >= 500) return undefined;
  if (typeof e.type !== 'string' && e.expose !== true && !(error instanceof URIError)) return undefined;
  // Express decodes each path parameter with decodeURIComponent: its URIError, marked 400.
  if (error instanceof URIError) return new ScimError(400, undefined, 'The request path is not valid: a percent-encoded part does not decode to UTF-8', { cause: error });
  if (e.type === 'entity.parse.failed') return new ScimError(400, 'invalidSyntax', 'The request body is not valid JSON', { cause: error });
  if (e.type === 'entity.too.large') return new ScimError(413, undefined, 'The request body is larger than the server accepts', { cause: error });
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return new ScimError(415, undefined, 'The request body has a content encoding or charset the server does not read', { cause: error });
  // A body that does not decompress, or is shorter or longer than its Content-Length said.
  return new ScimError(e.status, undefined, 'The request body cannot be read', { cause: error });
}
