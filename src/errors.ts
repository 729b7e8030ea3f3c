/**
 * The one family of errors idsync raises on purpose.
 *
 * Every such error is an `IdsyncError`: a stable `code` callers switch on (never the message), a
 * message written for operators, and the failure it stands for as `cause`, which pino's error
 * serialiser prints with it. Each area has its own subclass (`ConnectorError`, `IngestConflictError`,
 * `AdminError`, `ConfigError`, `DataDirError`, …), so `instanceof` tells where a failure comes from.
 *
 * Codes are snake_case, the spelling the admin API has always sent (`last_admin`, `not_found`):
 * one convention for what clients see and what the logs and the engine see.
 *
 * An error carries no HTTP status of its own. Each HTTP surface chooses statuses in one place:
 * the admin API in `src/api/error-status.ts`, SCIM in `src/scim/http/scim-error-of.ts`.
 */
export class IdsyncError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (!SNAKE_CASE.test(code)) throw new RangeError(`an error code is snake_case, got "${code}"`);
    this.name = new.target.name;
    this.code = code;
  }
}

const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
