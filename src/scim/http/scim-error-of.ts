/**
 * Every failure of a SCIM request as a `ScimError`: ours as they are, scimmy's with their status,
 * the body parser's (malformed JSON → 400 `invalidSyntax`, too large → 413), and PostgreSQL
 * refusing a value the client sent (a NUL character, a userName too long to index) → 400
 * `invalidValue` — client input never yields a 5xx. Anything else is a 500 that reveals nothing.
 */
import { sqlState } from '../../store/db.js';
import { ScimError, toScimError } from '../scim-error.js';

export function scimErrorOf(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  const parser = error as { type?: unknown; status?: unknown } | null;
  if (typeof parser?.type === 'string' && typeof parser.status === 'number' && parser.status >= 400 && parser.status < 500) {
    if (parser.type === 'entity.parse.failed') return new ScimError(400, 'invalidSyntax', 'The request body is not valid JSON', { cause: error });
    if (parser.type === 'entity.too.large') return new ScimError(413, undefined, 'The request body is larger than the server accepts', { cause: error });
    return new ScimError(parser.status, undefined, 'The request body cannot be read', { cause: error });
  }
  const state = sqlState(error);
  if (state === '23505') return new ScimError(409, 'uniqueness', 'The resource conflicts with an existing one', { cause: error });
  if (state !== undefined && (state.startsWith('22') || state.startsWith('54'))) {
    return new ScimError(400, 'invalidValue', 'A value in the request cannot be stored (too long, or it contains a character that is not allowed)', { cause: error });
  }
  return toScimError(error);
}
