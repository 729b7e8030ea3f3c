/**
 * The provisioning log through the running daemon: an Entra-shaped SCIM cycle leaves one entry per
 * request with its status, scimType, operations, resource ids and error detail, and nothing secret;
 * a real sync run that skips entries lists them with their reasons.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, newToken } from '../../src/domain/secret-tokens.js';
import { readSettings } from '../../src/config/env.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import type { Connector, ConnectorPage } from '../../src/connector/connector.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';
import { waitFor } from '../helpers/process.js';
import { deletePrefix, TEST_REDIS_URL, testRedis, uniquePrefix } from '../helpers/redis.js';
import { scimClient, type Json } from './scim-client.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ADMIN = 'admin-token-provisioning-log';
const ENTRA_TOKEN = 'entra-scim-token-4b1f9d27c6';
const OKTA_TOKEN = 'okta-scim-token-77a0e3d5b2';
const PASSWORD = 'Pa55w0rd-that-must-not-be-logged';

/** A directory whose listing repeats a userName and whose connector itself skipped entries without an e-mail. */
const directory: Connector = {
  kind: 'ldap',
  async *full(): AsyncGenerator<ConnectorPage> {
    yield {
      users: [
        { externalId: 'u-1', userName: 'carol', email: 'carol@example.com', active: true },
        { externalId: 'u-2', userName: 'CAROL', email: 'carol2@example.com', active: true },
        { externalId: 'u-3', userName: 'dave', email: 'dave@example.com', active: true },
      ],
      skipped: [
        { externalId: 'u-9', reason: 'no-email', detail: 'the entry has no mail attribute' },
        // Text from a directory that PostgreSQL would refuse: the run still finishes, and lists it replaced.
        { externalId: 'u-\u00008', reason: 'no-email', detail: 'mail is "\ud800"' },
      ],
    };
    yield { groups: [], cursor: 'c1' };
  },
};

describe.each(STORE_KINDS)('provisioning log (%s)', (kind) => {
  let store: TestStore;
  let daemon: Daemon;
  let url: string;
  const prefix = uniquePrefix('provlog');

  const api = async (path: string, token = ADMIN, init: RequestInit = {}) => {
    const res = await fetch(`${url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json, text };
  };
  /** The source's log once it holds `n` entries (the writer flushes within a second). */
  const logOf = (source: string, n: number) =>
    waitFor(async () => {
      const r = await api(`/sources/${source}/requests?limit=1000`);
      return r.body['requests']?.length === n ? (r.body['requests'] as Json[]) : undefined;
    }, 10_000, `${n} entries in the log of ${source}`);

  beforeAll(async () => {
    store = await openTestStore(kind);
    daemon = await startDaemon({
      settings: { ...readSettings({}), port: 0, redisUrl: TEST_REDIS_URL, queuePrefix: prefix, adminToken: ADMIN },
      config: parseConfig({
        organization: { internalDomains: ['example.com'] },
        sources: [
          { id: 'entra', kind: 'scim', tokenEnv: 'ENTRA_TOKEN' },
          { id: 'okta', kind: 'scim', tokenEnv: 'OKTA_TOKEN' },
          { id: 'corp', kind: 'ldap', url: 'ldap://127.0.0.1:1', users: { baseDn: 'ou=people,dc=example,dc=com' } },
        ],
      }),
      roles: { http: true, worker: true, scheduler: false },
      logger: createLogger({ destination: new Writable({ write: (_c, _e, done) => done() }), level: 'info' }),
      db: store.db,
      env: { ENTRA_TOKEN, OKTA_TOKEN },
      connectorFactory: async () => directory,
    });
    url = daemon.url ?? '';
  }, 120_000);
  afterAll(async () => {
    await daemon?.close();
    await store?.close();
    const redis = testRedis();
    await deletePrefix(redis, prefix).catch(() => {});
    redis.disconnect();
  });

  it('an Entra cycle leaves one entry per request, newest first, with statuses, operations and ids, and nothing secret', async () => {
    const entra = scimClient(`${url}/scim/v2`, ENTRA_TOKEN);
    const okta = scimClient(`${url}/scim/v2`, OKTA_TOKEN);
    const filter = `/Users?filter=${encodeURIComponent('userName eq "Alice@Example.com"')}&access_token=not-a-scim-parameter`;

    // Failed authentication belongs to no source: not in anyone's log.
    expect((await scimClient(`${url}/scim/v2`, 'wrong-token').get('/Users')).status).toBe(401);
    expect((await entra.get(filter)).status).toBe(200);
    const user = {
      schemas: [USER, ENTERPRISE],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Alice@Example.com',
      password: PASSWORD,
      active: true,
      name: { formatted: 'Alice Liddell', familyName: 'Liddell', givenName: 'Alice' },
      emails: [{ primary: true, type: 'work', value: 'alice@example.com' }],
      [ENTERPRISE]: { department: 'R&D' },
    };
    const created = await entra.post('/Users', user);
    expect(created.status).toBe(201);
    const alice = created.body['id'] as string;
    const patched = await entra.patch(`/Users/${alice}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Alice L.' },
        { op: 'Replace', path: 'name.familyName', value: 'Liddell-Hart' },
      ],
    });
    expect(patched.status).toBe(204);
    expect((await entra.get(filter)).status).toBe(200);
    const conflict = await entra.post('/Users', user);
    expect(conflict.status).toBe(409);
    const invalid = await entra.patch(`/Users/${alice}`, { schemas: [PATCH_OP], Operations: [{ op: 'Frobnicate', path: 'displayName', value: 'x' }] });
    expect(invalid.status).toBe(400);
    const bulk = await entra.post('/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'bob', data: { schemas: [USER], userName: 'bob@example.com', password: PASSWORD, emails: [{ value: 'bob@example.com', primary: true }] } },
        { method: 'PATCH', path: `/Users/${alice}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: false }] } },
        { method: 'POST', path: '/Users', bulkId: 'again', data: user },
      ],
    });
    expect(bulk.status).toBe(200);
    const bob = String((bulk.body['Operations'] as Json[])[0]?.['location']).split('/').pop();
    expect((await entra.delete(`/Users/${alice}`)).status).toBe(204);
    expect((await okta.get('/Users?count=1')).status).toBe(200);

    const log = await logOf('entra', 8);
    // Nothing secret anywhere in the stored rows or the answer: no token, no password, no body.
    const rows = JSON.stringify((await store.db.query('select * from request_log')).rows);
    const listed = (await api('/sources/entra/requests')).text;
    for (const secret of [ENTRA_TOKEN, OKTA_TOKEN, 'wrong-token', PASSWORD, 'not-a-scim-parameter', 'Bearer', 'R&D', 'Liddell']) {
      expect(rows, secret).not.toContain(secret);
      expect(listed, secret).not.toContain(secret);
    }
    // Newest first.
    expect(log.map((e) => `${e['method']} ${e['status']}`)).toEqual(['DELETE 204', 'POST 200', 'PATCH 400', 'POST 409', 'GET 200', 'PATCH 204', 'POST 201', 'GET 200']);
    const [deleted, bulkEntry, badPatch, duplicate, get, patch, post] = log as [Json, Json, Json, Json, Json, Json, Json, Json];
    // Only SCIM's own query parameters are kept, decoded for reading.
    expect(get).toMatchObject({ path: '/Users?filter=userName eq "Alice@Example.com"', scimType: null, operations: null, resourceIds: [], error: null });
    expect(post).toMatchObject({ path: '/Users', status: 201, operations: null, resourceIds: [alice], error: null });
    expect(patch).toMatchObject({ path: `/Users/${alice}`, operations: 2, resourceIds: [alice], error: null });
    expect(duplicate).toMatchObject({ path: '/Users', scimType: 'uniqueness', resourceIds: [], error: expect.stringContaining('userName') });
    expect(badPatch).toMatchObject({ path: `/Users/${alice}`, operations: 1, resourceIds: [alice], scimType: expect.any(String), error: expect.any(String) });
    expect(bulkEntry).toMatchObject({ path: '/Bulk', operations: 3, resourceIds: [bob, alice], error: expect.stringMatching(/^1 of 3 operations failed; the first: POST 409 uniqueness: /) });
    expect(deleted).toMatchObject({ path: `/Users/${alice}`, operations: null, resourceIds: [alice], error: null });
    for (const e of log) {
      expect(Date.parse(e['at'] as string)).not.toBeNaN();
      expect(e['durationMs']).toBeGreaterThan(0);
    }
    // Each source sees its own requests only.
    expect((await logOf('okta', 1))[0]).toMatchObject({ method: 'GET', path: '/Users?count=1', status: 200 });
  });

  it('text PostgreSQL cannot keep (a NUL, a lone surrogate quoted back) is logged replaced, and stops nothing', async () => {
    const okta = scimClient(`${url}/scim/v2`, OKTA_TOKEN);
    expect((await okta.get('/Users?filter=userName%20eq%20%22a%00b%22')).status).toBe(400);
    expect((await okta.get('/Users/%00')).status).toBe(404);
    // A repeated bulkId is quoted back in the error detail: here a lone surrogate, written as a JSON escape.
    const op = '{"method":"POST","path":"/Users","bulkId":"\\ud800","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x@example.com"}}';
    const repeated = await okta.call('POST', '/Bulk', `{"schemas":["${BULK}"],"Operations":[${op},${op}]}`);
    expect(repeated.status).toBe(400);
    expect((await okta.get('/Groups')).status).toBe(200);
    const log = await waitFor(async () => {
      const r = await api('/sources/okta/requests?limit=4');
      return r.body['requests']?.[0]?.['path'] === '/Groups' ? (r.body['requests'] as Json[]) : undefined;
    }, 10_000, 'the GET /Groups in the log');
    expect(log.map((e) => [e['path'], e['status']])).toEqual([
      ['/Groups', 200],
      ['/Bulk', 400],
      ['/Users/%00', 404],
      ['/Users?filter=userName eq "a\uFFFDb"', 400],
    ]);
    expect(log[1]?.['error']).toContain('bulkId "\uFFFD"');
    expect(log[2]?.['resourceIds']).toEqual(['\uFFFD']);
  });

  it('only the system token reads the log and the skipped entries; an unknown source is a 404', async () => {
    const personToken = newToken('idsp');
    await store.db.query(`insert into people (email, kind) values ('viewer@example.com', 'internal') on conflict (lower(email)) do nothing`);
    await store.db.query(`insert into api_tokens (token_hash, kind, person_id) select $1, 'person', id from people where lower(email) = 'viewer@example.com'`, [hashToken(personToken)]);
    const refused = await api('/sources/entra/requests', personToken);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    expect((await api('/sources/nope/requests')).body).toEqual({ error: { code: 'not_found', message: 'source "nope" not found' } });
    expect((await api('/sources/entra/requests', ENTRA_TOKEN)).status).toBe(401);
  });

  it('a sync run lists the entries it skipped, with their reasons, in the order it met them', async () => {
    const triggered = await api('/sources/corp/sync', ADMIN, { method: 'POST', body: JSON.stringify({ mode: 'full' }) });
    expect(triggered.status).toBe(202);
    const runId = triggered.body['run']['id'] as string;
    const run = await waitFor(async () => {
      const r = await api(`/sources/corp/runs/${runId}`);
      return r.body['run']?.['status'] === 'succeeded' ? (r.body['run'] as Json) : undefined;
    }, 30_000, 'the run to succeed');
    expect(run['counts']).toMatchObject({ seen: 3, skipped: 3 });

    const all = await api(`/sources/corp/runs/${runId}/skipped`);
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      skipped: [
        { externalId: 'u-9', reason: 'no-email', detail: 'the entry has no mail attribute' },
        { externalId: 'u-\uFFFD8', reason: 'no-email', detail: 'mail is "\uFFFD"' },
        { externalId: 'u-2', reason: 'duplicate-username', detail: 'an earlier entry of this listing has the same userName' },
      ],
      total: 3,
      next: null,
    });
    // Paged like every list.
    const first = await api(`/sources/corp/runs/${runId}/skipped?limit=1`);
    expect(first.body['skipped']).toEqual([all.body['skipped'][0]]);
    const rest = await api(`/sources/corp/runs/${runId}/skipped?limit=2&cursor=${first.body['next']}`);
    expect(rest.body).toMatchObject({ skipped: all.body['skipped'].slice(1), next: null });

    expect((await api(`/sources/entra/runs/${runId}/skipped`)).status).toBe(404);
    expect((await api('/sources/corp/runs/not-a-run/skipped')).status).toBe(404);
    expect((await api(`/sources/corp/runs/${runId}/skipped?cursor=bogus`)).status).toBe(400);
  });
});
