import type { Logger } from 'pino';
import type { ScimError } from '../scim-error.js';

/**
 * Logs the cause of an error whose text the client was not shown (`ScimError.hidesCause`): a
 * server fault at `error`, a refused request that broke something inside scimmy at `warn`. Only
 * the cause is logged (its message, stack, code and causes, as the logger's err serialiser keeps
 * them) — never the request body.
 */
export function logHiddenCause(logger: Logger, error: ScimError, fields: Record<string, unknown>, message: string): void {
  if (!error.hidesCause) return;
  const entry = { ...fields, status: error.status, err: error.cause instanceof Error ? error.cause : { message: String(error.cause) } };
  if (error.status >= 500) logger.error(entry, message);
  else logger.warn(entry, message);
}
