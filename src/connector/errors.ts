import { IdsyncError } from '../errors.js';

/** Errors a connector raises; the sync engine switches on `code`, never on messages. */
export type ConnectorErrorCode =
  | 'connector_auth' // credentials refused
  | 'connector_retryable' // throttled, 5xx, LDAP busy: worth another try
  | 'connector_timeout'
  | 'connector_upstream' // the directory answered with an error that retrying will not fix
  | 'connector_cursor_expired' // the delta cursor is no longer valid: the next run must be a full one
  | 'connector_config';

/**
 * A connector's failure. Its message is scrubbed of the source's secrets; its `cause` is the
 * library's error as thrown, which is not (MSAL's text can quote the client secret sent). So a
 * ConnectorError is logged by its message, never whole with `err` — test/e2e/no-secrets-in-logs
 * fails when one is.
 */
export class ConnectorError extends IdsyncError<ConnectorErrorCode> {
  readonly sourceId: string | undefined;
  /**
   * The directory's HTTP status, when its answer is the failure (a 403 tells "not allowed" from other
   * refusals): what the upstream said, not a status idsync would answer with.
   */
  readonly httpStatus: number | undefined;

  constructor(code: ConnectorErrorCode, message: string, options?: { cause?: unknown; sourceId?: string; httpStatus?: number }) {
    super(code, message, options);
    this.sourceId = options?.sourceId;
    this.httpStatus = options?.httpStatus;
  }
}

export class RetryableConnectorError extends ConnectorError {
  /** How long the directory asked us to wait, when it said so. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: { cause?: unknown; sourceId?: string; retryAfterMs?: number }) {
    super('connector_retryable', message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}
