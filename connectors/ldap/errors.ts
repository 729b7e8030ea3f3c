/**
 * The one place where ldapts, socket and TLS failures become `ConnectorError`s. Callers switch on
 * `code`; the message names the source and what was being done, and carries the server's text.
 * The bind password is never part of a message (ldapts never puts it in one; `redact` is a
 * second line of defence).
 */
import { ResultCodeError } from 'ldapts';
import { ConnectorError, RetryableConnectorError } from '../../src/connector/errors.js';

export interface ErrorContext {
  sourceId: string;
  /** What was being done: `bind as "cn=…"`, `search ou=people,…`. */
  operation: string;
  /** The bind DN, named in authentication failures. */
  bindDn?: string | undefined;
  /** Scrubbed from every message. */
  secret?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** LDAP result codes (RFC 4511 §4.1.9) that mean something other than "the server refused". */
const RESULT = {
  timeLimitExceeded: 3,
  strongerAuthRequired: 8,
  confidentialityRequired: 13,
  inappropriateAuthentication: 48,
  invalidCredentials: 49,
  busy: 51,
  unavailable: 52,
} as const;

const RETRYABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The error to throw when `signal` aborted the run: its reason, or an `AbortError`. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException('The LDAP sync was aborted', 'AbortError');
}

function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('***') : text;
}

export function toConnectorError(err: unknown, ctx: ErrorContext): Error {
  if (ctx.signal?.aborted) return abortError(ctx.signal);
  if (err instanceof ConnectorError) return err;
  const where = `ldap source "${ctx.sourceId}": ${ctx.operation}`;
  const opts = { cause: err, sourceId: ctx.sourceId };
  const text = (m: string) => redact(m, ctx.secret);

  if (err instanceof ResultCodeError) {
    // ldapts appends " Code: 0x31"; the decimal code is added below where it helps.
    const server = text(err.message.replace(/\s*Code: 0x[0-9a-f]+$/i, ''));
    switch (err.code) {
      case RESULT.invalidCredentials:
      case RESULT.inappropriateAuthentication:
        return new ConnectorError(
          'connector_auth',
          `ldap source "${ctx.sourceId}": bind as "${ctx.bindDn ?? '(anonymous)'}" was refused: ${server}`,
          opts,
        );
      case RESULT.timeLimitExceeded:
        return new ConnectorError('connector_timeout', `${where}: the server's time limit was exceeded: ${server}`, opts);
      case RESULT.busy:
      case RESULT.unavailable:
        return new RetryableConnectorError(`${where}: server busy or unavailable: ${server}`, opts);
      case RESULT.strongerAuthRequired:
      case RESULT.confidentialityRequired:
        return new ConnectorError('connector_config', `${where}: the server requires a secure connection (use ldaps:// or startTls): ${server}`, opts);
      default:
        return new ConnectorError('connector_upstream', `${where}: ${server} (LDAP result ${err.code})`, opts);
    }
  }

  const message = err instanceof Error ? text(err.message) : text(String(err));
  const code = typeof (err as { code?: unknown } | null)?.code === 'string' ? (err as { code: string }).code : undefined;
  if (code !== undefined && TLS_TRUST_CODES.has(code)) {
    return new ConnectorError(
      'connector_config',
      `${where}: TLS: the server certificate is not trusted (${code}: ${message}); check tls.caFile`,
      opts,
    );
  }
  if (code === 'ETIMEDOUT' || /timed? ?out|timeout/i.test(message)) {
    return new ConnectorError('connector_timeout', `${where}: ${message}`, opts);
  }
  if ((code !== undefined && RETRYABLE_SOCKET_CODES.has(code)) || /connection closed|socket error|socket connection not established/i.test(message)) {
    return new RetryableConnectorError(`${where}: connection lost: ${message}`, opts);
  }
  return new ConnectorError('connector_upstream', `${where}: ${message}`, opts);
}
