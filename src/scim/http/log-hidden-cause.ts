import type { Logger } from 'pino';
import type { ScimError } from '../scim-error.js';

/**
 * Logs the cause of an error whose text the client was not shown (`ScimError.hidesCause`): a
 * server fault at `error`, a refused request that broke something inside scimmy at `warn`. Only
 * the cause's message and stack are logged — never the request body.
 */
export function logHiddenCause(logger: Logger, error: ScimError, fields: Record<string, unknown>, message: string): void {
  if (!error.hidesCause) return;
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const entry = { ...fields, status: error.status, err: { message: cause?.message ?? String(error.cause), stack: cause?.stack } };
  if (error.status >= 500) logger.error(entry, message);
  else logger.warn(entry, message);
}
