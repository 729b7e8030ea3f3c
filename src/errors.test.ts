import { describe, expect, it } from 'vitest';
import { InvalidFilterError } from '../connectors/ldap/configured-filter.js';
import { InvalidDnError } from '../connectors/ldap/dn.js';
import { AdminError } from './admin/admin-error.js';
import { ApiError } from './api/errors.js';
import { ListenError } from './api/listen.js';
import { DaemonRequestError } from './cli/daemon-client.js';
import { ConfigError } from './config/load.js';
import { IdsyncError } from './errors.js';
import { IngestConflictError } from './ingest/errors.js';
import { RedisUrlError } from './queue/redis-target.js';
import { RedisUnavailableError } from './queue/redis.js';
import { ScimError } from './scim/scim-error.js';
import { DataDirError } from './store/data-dir-lock.js';
import { PgliteDataDirError } from './store/pglite-initdb.js';
import { ConnectorError, RetryableConnectorError } from './connector/errors.js';
import { RunInProgressError } from './store/runs/sync-runs.js';
import { NotSyncableError } from './sync/sync-service.js';
import { WebhookDeliveryError } from './webhooks/deliver-webhook.js';

const cause = new Error('ECONNREFUSED 127.0.0.1:389');

/** One error of every area, with the class it must be and the code it must carry. */
const AREAS: Array<[area: string, error: IdsyncError, type: abstract new (...args: never[]) => IdsyncError, code: string]> = [
  ['connector', new ConnectorError('connector_auth', 'bind refused', { cause, sourceId: 'corp' }), ConnectorError, 'connector_auth'],
  ['connector (retryable)', new RetryableConnectorError('busy', { cause, retryAfterMs: 1000 }), ConnectorError, 'connector_retryable'],
  ['ldap connector config', new InvalidFilterError('not one LDAP filter'), InvalidFilterError, 'invalid_ldap_filter'],
  ['ldap connector DN', new InvalidDnError('no equals sign'), InvalidDnError, 'invalid_dn'],
  ['ingest', new IngestConflictError('user', 'userName', 'userName already exists', { cause }), IngestConflictError, 'ingest_conflict'],
  ['sync', new RunInProgressError('corp'), RunInProgressError, 'run_in_progress'],
  ['sync', new NotSyncableError('hr', true), NotSyncableError, 'not_syncable'],
  ['sync', new NotSyncableError('nope', false), NotSyncableError, 'not_found'],
  ['admin', new AdminError('last_admin', 'the last admin stays', { cause }), AdminError, 'last_admin'],
  ['admin API', new ApiError('too_many_attempts', 'retry later'), ApiError, 'too_many_attempts'],
  ['scim', new ScimError(409, 'uniqueness', 'A user with this userName already exists', { cause }), ScimError, 'scim_refused'],
  ['scim', new ScimError(500, undefined, 'The server could not complete the request.', { cause, hidesCause: true }), ScimError, 'scim_failed'],
  ['config', new ConfigError('idsync.yaml', ['sources[0].kind: Required']), ConfigError, 'config_invalid'],
  ['store', new DataDirError('data_dir_in_use', 'in use', { cause }), DataDirError, 'data_dir_in_use'],
  ['store', new PgliteDataDirError('holds files but no database', { cause }), PgliteDataDirError, 'pglite_data_dir'],
  ['queue', new RedisUnavailableError('redis://127.0.0.1:1', cause), RedisUnavailableError, 'redis_unavailable'],
  ['queue', new RedisUrlError('no node'), RedisUrlError, 'redis_url_invalid'],
  ['http', new ListenError('port in use', { cause }), ListenError, 'listen_failed'],
  ['cli', new DaemonRequestError(0, 'daemon unreachable'), DaemonRequestError, 'daemon_request_failed'],
  ['webhooks', new WebhookDeliveryError('answered 500', { status: 500, cause }), WebhookDeliveryError, 'webhook_delivery_failed'],
];

describe('the error family', () => {
  it.each(AREAS)('%s: an IdsyncError of its own class, with a snake_case code and its class name', (_area, error, type, code) => {
    expect(error).toBeInstanceOf(IdsyncError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(type);
    expect(error.code).toBe(code);
    expect(error.code).toMatch(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/);
    expect(error.name).toBe(error.constructor.name);
  });

  it('keeps the failure it stands for as cause, and sets none when there is none', () => {
    for (const [, error] of AREAS.filter(([, e]) => 'cause' in e)) expect(error.cause).toBe(cause);
    expect(AREAS.filter(([, e]) => 'cause' in e)).toHaveLength(11);
    expect('cause' in new ConnectorError('connector_timeout', 'slow')).toBe(false);
  });

  it('tells areas apart by class: a connector error is not an admin error', () => {
    const error: unknown = new RetryableConnectorError('busy');
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).not.toBeInstanceOf(AdminError);
    expect(new AdminError('forbidden', 'no')).not.toBeInstanceOf(ApiError);
  });

  it('carries no HTTP status of idsync\'s own: each surface chooses it', () => {
    expect('status' in new AdminError('last_admin', 'x')).toBe(false);
    expect('status' in new NotSyncableError('hr', true)).toBe(false);
    expect('status' in new ApiError('not_found', 'x')).toBe(false);
  });

  it('refuses a code in another spelling', () => {
    expect(() => new IdsyncError('CONNECTOR_AUTH', 'x')).toThrow(RangeError);
    expect(() => new IdsyncError('lastAdmin', 'x')).toThrow(/snake_case/);
  });
});
