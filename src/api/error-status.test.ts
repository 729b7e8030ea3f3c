import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminError } from '../admin/admin-error.js';
import { createLogger } from '../log.js';
import { ConnectorError } from '../connector/errors.js';
import { RunInProgressError } from '../store/runs/sync-runs.js';
import { NotSyncableError } from '../sync/sync-service.js';
import { ApiError, apiErrorHandler } from './errors.js';

/** What each thrown error must be answered with: the admin API's one code → status table at work. */
const CASES: Array<[thrown: () => unknown, status: number, code: string]> = [
  [() => new AdminError('last_admin', 'a workspace keeps at least one admin'), 409, 'last_admin'],
  [() => new AdminError('invite_expired', 'the invite has expired'), 410, 'invite_expired'],
  [() => new AdminError('validity_too_long', 'at most 365 days'), 422, 'validity_too_long'],
  [() => new AdminError('forbidden', 'only admins'), 403, 'forbidden'],
  [() => new RunInProgressError('corp'), 409, 'run_in_progress'],
  [() => new NotSyncableError('hr', true), 400, 'not_syncable'],
  [() => new NotSyncableError('nope', false), 404, 'not_found'],
  [() => new ApiError('too_many_attempts', 'retry after 60 s'), 429, 'too_many_attempts'],
  [() => new ApiError('unavailable', 'this process does not run syncs'), 503, 'unavailable'],
];

describe('admin API: error code → HTTP status, in one place', () => {
  const lines: string[] = [];
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }) });
    const app = express();
    app.get('/case/:n', (req) => {
      throw (CASES[Number(req.params['n'])] as (typeof CASES)[number])[0]();
    });
    app.get('/connector', () => {
      throw new ConnectorError('connector_auth', 'ldap source "corp": bind refused', { cause: new Error('invalidCredentials (49)') });
    });
    app.use(apiErrorHandler(logger));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it.each(CASES.map((c, i) => [i, c[1], c[2], (c[0]() as Error).constructor.name] as const))('case %i: %i %s (%s)', async (i, status, code) => {
    const thrown = (CASES[i] as (typeof CASES)[number])[0]() as Error;
    // The route only throws; the handler alone picks the status.
    const response = await fetch(`${base}/case/${i}`);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: { code, message: thrown.message } });
  });

  it('answers an error whose code is not the API\'s as a 500 that says nothing, and logs its code and cause', async () => {
    const response = await fetch(`${base}/connector`);
    expect(response.status).toBe(500);
    const body = JSON.stringify(await response.json());
    expect(body).toBe('{"error":{"code":"internal","message":"internal error"}}');
    const line = JSON.parse(lines.find((l) => l.includes('request failed')) as string) as { err: Record<string, unknown> };
    expect(line.err).toMatchObject({ type: 'ConnectorError', code: 'connector_auth', message: 'ldap source "corp": bind refused', cause: { type: 'Error', message: 'invalidCredentials (49)' } });
  });
});
