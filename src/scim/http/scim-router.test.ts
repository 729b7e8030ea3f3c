/**
 * The SCIM router over HTTP on PGlite, with a real `Ingest` whose change publisher the test holds:
 * what reaches a client when something breaks inside a request, the read-only discovery endpoints,
 * root search, and a PATCH that is a no-op.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Ingest } from '../../ingest/ingest.js';
import type { PersonChange } from '../../ingest/records.js';
import { createLogger } from '../../log.js';
import { createPgliteDb } from '../../store/pglite.js';
import { migrate } from '../../store/migrate.js';
import type { Db } from '../../store/db.js';
import { createScimRouter } from './scim-router.js';
import { SourceTokens } from './source-tokens.js';

const TOKEN = 'router-test-token';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** What the publisher throws when `failPublish` is set: a runtime error, as a bug would throw. */
const RUNTIME_TEXT = "Cannot read properties of undefined (reading 'personKey')";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('SCIM router', () => {
  let db: Db;
  let server: Server;
  let base: string;
  const published: PersonChange[] = [];
  const logLines: string[] = [];
  let failPublish = false;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: (text === '' ? {} : JSON.parse(text)) as Json };
  };
  const logged = () => logLines.map((line) => JSON.parse(line) as Json);

  beforeAll(async () => {
    db = await createPgliteDb();
    await migrate(db);
    await db.query(`insert into sources (id, kind) values ('idp', 'scim')`);
    const ingest = new Ingest({
      db,
      changes: {
        publish: async (changes) => {
          if (failPublish) throw new TypeError(RUNTIME_TEXT);
          published.push(...changes);
        },
      },
    });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(...String(chunk).split('\n').filter((l) => l !== ''));
        done();
      },
    });
    const app = express();
    app.use('/scim/v2', createScimRouter({
      db,
      ingest,
      tokens: new SourceTokens({ db, configured: [{ sourceId: 'idp', token: TOKEN }] }),
      logger: createLogger({ destination: sink, level: 'info' }),
    }));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await db?.close();
  });
  beforeEach(() => {
    failPublish = false;
    published.length = 0;
    logLines.length = 0;
  });

  it('a TypeError thrown while handling a request: a generic 500 SCIM error, its text only in the log', async () => {
    failPublish = true;
    const res = await call('POST', '/Users', { userName: 'typeerror@x.com' });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ schemas: [ERROR], status: '500', detail: 'The server could not complete the request.' });
    expect(res.text).not.toContain('personKey');
    expect(res.text).not.toContain('Cannot read');
    const entry = logged().find((l) => l['msg'] === 'SCIM request failed');
    expect(entry).toMatchObject({ level: 50, status: 500, method: 'POST', path: '/Users', err: { message: RUNTIME_TEXT } });
  });

  it('a runtime error inside scimmy: a 400 naming the operation and its path, the runtime text only in the log', async () => {
    const user = await call('POST', '/Users', { userName: 'extension@x.com' });
    // `id` is not an enterprise attribute; scimmy fails on it with "Cannot add property id, object is not extensible".
    const res = await call('PATCH', `/Users/${user.body['id']}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: ENTERPRISE, value: { id: 'x', department: 'D' } }] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ schemas: [ERROR], status: '400', scimType: 'invalidValue', detail: `Operation 1: the value for "${ENTERPRISE}" cannot be accepted` });
    expect(res.text).not.toMatch(/extensible|Cannot add/);
    const entry = logged().find((l) => l['msg'] === 'SCIM request failed');
    expect(entry).toMatchObject({ level: 40, status: 400, method: 'PATCH' });
    expect(entry?.['err']['message']).toContain('object is not extensible');
    // A validation message of scimmy's own still reaches the client, and is not logged.
    logLines.length = 0;
    const invalid = await call('PATCH', `/Users/${user.body['id']}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: 'perhaps' }] });
    expect(invalid.body).toMatchObject({ status: '400', scimType: 'invalidValue', detail: expect.stringMatching(/^Attribute 'active' expected value type 'boolean'/) });
    expect(logged().filter((l) => l['msg'] === 'SCIM request failed')).toEqual([]);
  });

  it('the discovery endpoints are read-only: 405 with Allow: GET and a SCIM error body', async () => {
    const paths = ['/ServiceProviderConfig', '/ResourceTypes', '/ResourceTypes/User', '/Schemas', `/Schemas/${ENTERPRISE}`, '/schemas/anything/deeper'];
    for (const path of paths) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const res = await call(method, path, method === 'DELETE' ? undefined : {});
        expect({ path, method, status: res.status, allow: res.headers.get('allow') }).toEqual({ path, method, status: 405, allow: 'GET' });
        expect(res.body).toMatchObject({ schemas: [ERROR], status: '405', detail: expect.stringContaining('only GET is allowed') });
      }
    }
    expect((await call('GET', '/ResourceTypes/User')).status).toBe(200);
    expect((await call('GET', '/Schemas/urn:nope')).status).toBe(404);
    expect((await call('POST', '/Nowhere', {})).status).toBe(404);
  });

  it('a search at the root is 501 with a SCIM error, not 404', async () => {
    for (const [method, path] of [['POST', '/.search'], ['GET', '/?filter=userName%20eq%20%22a%22']] as const) {
      const res = await call(method, path, method === 'POST' ? { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName eq "a"' } : undefined);
      expect(res.status).toBe(501);
      expect(res.body).toMatchObject({ schemas: [ERROR], status: '501', detail: expect.stringContaining('/Users/.search') });
    }
  });

  it("Okta's password sync is a no-op: 204 (or 200 with the resource), same version, nothing published", async () => {
    const user = await call('POST', '/Users', { userName: 'okta.password@x.com', emails: [{ value: 'okta.password@x.com', primary: true }] });
    const etag = user.headers.get('etag');
    published.length = 0;
    const sync = { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { password: 'Tr0ub4dor&3' } }] };
    const res = await call('PATCH', `/Users/${user.body['id']}`, sync);
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toBe(etag);
    const withBody = await call('PATCH', `/Users/${user.body['id']}?attributes=userName`, sync);
    expect(withBody.status).toBe(200);
    expect(withBody.body).toMatchObject({ userName: 'okta.password@x.com' });
    expect(withBody.headers.get('etag')).toBe(etag);
    const read = await call('GET', `/Users/${user.body['id']}`);
    expect(read.body['meta']['version']).toBe(etag);
    expect(published).toEqual([]);
    expect(logLines.join('')).not.toContain('Tr0ub4dor');
    // An empty PatchOp from the client is still refused.
    expect((await call('PATCH', `/Users/${user.body['id']}`, { schemas: [PATCH_OP], Operations: [] })).status).toBe(400);
  });

  it('a group PATCH whose only value was the read-only id is a no-op too', async () => {
    const group = await call('POST', '/Groups', { displayName: 'No-op' });
    published.length = 0;
    const res = await call('PATCH', `/Groups/${group.body['id']}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: group.body['id'] } }] });
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toBe(group.headers.get('etag'));
    expect(published).toEqual([]);
  });

  // Found by the fuzzer (test/fuzz/scim-fuzz.test.ts); each with the literal request that answered 500.
  describe('hostile input found by fuzzing: a 4xx SCIM error, never a 500', () => {
    const raw = async (method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) => {
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, ...init.headers }, body: init.body });
      const text = await res.text();
      return { status: res.status, type: res.headers.get('content-type'), body: JSON.parse(text) as Json };
    };

    it('an id that is not UTF-8 once percent-decoded (%EF%BF%BD%ED%A0%80): 400 on every method, Users and Groups', async () => {
      for (const resource of ['Users', 'Groups']) {
        for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
          const body = method === 'PUT' || method === 'PATCH' ? JSON.stringify(method === 'PUT' ? { userName: 'x@x.com', displayName: 'X' } : { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] }) : undefined;
          const res = await raw(method, `/${resource}/%EF%BF%BD%ED%A0%80`, { headers: { 'content-type': 'application/scim+json' }, body });
          expect({ method, resource, status: res.status }).toEqual({ method, resource, status: 400 });
          expect(res.body).toEqual({ schemas: [ERROR], status: '400', detail: 'The request path is not valid: a percent-encoded part does not decode to UTF-8' });
        }
      }
    });

    it('a body whose Content-Encoding it is not in (br, gzip, deflate): 400, without the decompressor\'s words', async () => {
      for (const encoding of ['br', 'gzip', 'deflate']) {
        const res = await raw('POST', '/Users/.search', { headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: '{}' });
        expect({ encoding, status: res.status }).toEqual({ encoding, status: 400 });
        expect(res.body).toEqual({ schemas: [ERROR], status: '400', detail: 'The request body cannot be read' });
      }
      const unknown = await raw('POST', '/Users', { headers: { 'content-type': 'application/json', 'content-encoding': 'bogus' }, body: '{}' });
      expect(unknown.body).toMatchObject({ status: '415' });
    });

    it('a body nested 10,000 levels deep (it overflowed the stack of the IdP-quirk pipeline): 400 invalidSyntax', async () => {
      const deep = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"deep@x.com","name":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
      for (const [method, path] of [['POST', '/Users'], ['POST', '/Bulk'], ['POST', '/Users/.search']] as const) {
        const res = await raw(method, path, { headers: { 'content-type': 'application/scim+json' }, body: deep });
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.body).toEqual({ schemas: [ERROR], status: '400', scimType: 'invalidSyntax', detail: 'The request body nests objects and arrays deeper than 32 levels' });
      }
      // As deep as a real Bulk request gets is fine.
      const bulk = { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [{ method: 'POST', path: '/Groups', bulkId: 'g', data: { displayName: 'Deep enough', members: [] } }] };
      expect((await call('POST', '/Bulk', bulk)).status).toBe(200);
    });
  });
});
