import { BusyError, InvalidCredentialsError, NoSuchObjectError, TimeLimitExceededError, UnavailableError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { ConnectorError, RetryableConnectorError } from '../../src/connector/errors.js';
import { toConnectorError } from './errors.js';

const ctx = { sourceId: 'corp', operation: 'search ou=people', bindDn: 'cn=admin,dc=x', secret: 's3cret' };

function codeOf(err: unknown): string {
  const e = toConnectorError(err, ctx);
  expect(e).toBeInstanceOf(ConnectorError);
  return (e as ConnectorError).code;
}

describe('toConnectorError', () => {
  it('maps LDAP result codes', () => {
    expect(codeOf(new InvalidCredentialsError('Invalid Credentials'))).toBe('connector_auth');
    expect(codeOf(new TimeLimitExceededError('Time limit exceeded'))).toBe('connector_timeout');
    expect(toConnectorError(new BusyError('busy'), ctx)).toBeInstanceOf(RetryableConnectorError);
    expect(toConnectorError(new UnavailableError('unavailable'), ctx)).toBeInstanceOf(RetryableConnectorError);
    const other = toConnectorError(new NoSuchObjectError('No Such Object'), ctx) as ConnectorError;
    expect(other.code).toBe('connector_upstream');
    expect(other.message).toBe('ldap source "corp": search ou=people: No Such Object (LDAP result 32)');
    expect(other.sourceId).toBe('corp');
  });

  it('maps socket, timeout and TLS failures', () => {
    expect(codeOf(new Error('SearchRequest: Operation timed out'))).toBe('connector_timeout');
    expect(codeOf(new Error('Connection timeout'))).toBe('connector_timeout');
    expect(codeOf(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe('connector_retryable');
    expect(codeOf(new Error('Connection closed before message response was received. Message type: SearchRequest (0x63)'))).toBe('connector_retryable');
    expect(codeOf(Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }))).toBe('connector_config');
    expect(codeOf(new Error('something else'))).toBe('connector_upstream');
  });

  it('names the source and bind DN on auth failures, never the password', () => {
    const e = toConnectorError(new InvalidCredentialsError('Invalid Credentials s3cret'), ctx);
    expect(e.message).toContain('"corp"');
    expect(e.message).toContain('cn=admin,dc=x');
    expect(e.message).not.toContain('s3cret');
  });

  it('an aborted signal wins over the error it caused', () => {
    const ac = new AbortController();
    ac.abort();
    const e = toConnectorError(new Error('Connection closed before message response was received'), { ...ctx, signal: ac.signal });
    expect(e.name).toBe('AbortError');
  });
});
