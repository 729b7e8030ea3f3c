/** Errors a connector raises; the sync engine switches on `code`, never on messages. */
export type ConnectorErrorCode =
  | 'CONNECTOR_AUTH' // credentials refused
  | 'CONNECTOR_RETRYABLE' // throttled, 5xx, LDAP busy: worth another try
  | 'CONNECTOR_TIMEOUT'
  | 'CONNECTOR_UPSTREAM' // the directory answered with an error that retrying will not fix
  | 'CONNECTOR_CURSOR_EXPIRED' // the delta cursor is no longer valid: the next run must be a full one
  | 'CONNECTOR_CONFIG';

export class ConnectorError extends Error {
  readonly code: ConnectorErrorCode;
  readonly sourceId: string | undefined;
  /** The directory's HTTP status, when its answer is the failure (a 403 tells "not allowed" from other refusals). */
  readonly httpStatus: number | undefined;

  constructor(code: ConnectorErrorCode, message: string, options?: { cause?: unknown; sourceId?: string; httpStatus?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectorError';
    this.code = code;
    this.sourceId = options?.sourceId;
    this.httpStatus = options?.httpStatus;
  }
}

export class RetryableConnectorError extends ConnectorError {
  /** How long the directory asked us to wait, when it said so. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: { cause?: unknown; sourceId?: string; retryAfterMs?: number }) {
    super('CONNECTOR_RETRYABLE', message, options);
    this.name = 'RetryableConnectorError';
    this.retryAfterMs = options?.retryAfterMs;
  }
}
