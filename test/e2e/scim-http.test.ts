/**
 * The SCIM server's HTTP contract on PostgreSQL: authentication and source isolation, filters
 * translated to SQL, paging and sorting, projection, versioning, error statuses, Bulk.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/domain/secret-tokens.js';
import { scimClient, type Json } from './scim-client.js';
import { startScimDaemon, type ScimDaemon } from './scim-daemon.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const TOKEN = 'hr-config-token';
const DB_TOKEN = 'crm-token-made-by-idsync-tokens-create';

describe('SCIM over HTTP (postgres)', () => {
  let server: ScimDaemon;
  let hr: ReturnType<typeof scimClient>;
  const ids: Record<string, string> = {};
  const q = (filter: string) => `/Users?filter=${encodeURIComponent(filter)}`;
  const names = (body: Json) => (body['Resources'] as Json[]).map((r) => r['userName'] as string).sort();

  beforeAll(async () => {
    server = await startScimDaemon({
      kind: 'postgres',
      config: {
        sources: [
          { id: 'hr', kind: 'scim', tokenEnv: 'HR_TOKEN' },
          { id: 'crm', kind: 'scim' },
        ],
      },
      env: { HR_TOKEN: TOKEN },
    });
    await server.store.db.query(`insert into api_tokens (token_hash, kind, source_id) values ($1, 'source', 'crm')`, [hashToken(DB_TOKEN)]);
    hr = scimClient(server.scimUrl, TOKEN);
    const people: Array<[string, Json]> = [
      ['alice', { userName: 'alice@x.com', externalId: 'E1', displayName: 'Alice Smith', emails: [{ value: 'Alice@X.com', type: 'work', primary: true }], [ENTERPRISE]: { department: 'R&D' } }],
      ['bob', { userName: 'bob@x.com', externalId: 'E2', displayName: 'Bob Jones', emails: [{ value: 'bob@home.org', type: 'home' }, { value: 'bob@x.com', type: 'work' }], active: false }],
      ['carol', { userName: 'carol@y.org', externalId: 'E3', displayName: 'Carol Smith', name: { givenName: 'Carol', familyName: 'Smith' } }],
      ['dave', { userName: 'dave@y.org', displayName: 'Dave' }],
    ];
    for (const [key, body] of people) {
      const res = await hr.post('/Users', body);
      expect(res.status).toBe(201);
      ids[key] = res.body['id'] as string;
    }
    const group = await hr.post('/Groups', { displayName: 'Admins', members: [{ value: ids['alice'] }, { value: ids['carol'] }] });
    ids['admins'] = group.body['id'] as string;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('401 with a SCIM error body without a token or with a wrong one; a stored source token works', async () => {
    const variants: Array<Record<string, string>> = [{}, { authorization: 'Bearer nope' }, { authorization: 'Basic abc' }];
    for (const headers of variants) {
      const res = await fetch(`${server.scimUrl}/Users`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ schemas: [ERROR], status: '401', detail: expect.any(String) });
    }
    const crm = scimClient(server.scimUrl, DB_TOKEN);
    expect((await crm.get('/Users')).body['totalResults']).toBe(0);
  });

  it("a source sees only its own records: another source's id is a 404", async () => {
    const crm = scimClient(server.scimUrl, DB_TOKEN);
    expect((await crm.get(`/Users/${ids['alice']}`)).status).toBe(404);
    expect((await crm.patch(`/Users/${ids['alice']}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] })).status).toBe(404);
    expect((await crm.delete(`/Groups/${ids['admins']}`)).status).toBe(404);
    expect((await crm.get(q('userName eq "alice@x.com"'))).body['totalResults']).toBe(0);
    // Members must be users of the same source.
    const theirs = await crm.post('/Groups', { displayName: 'Theirs', members: [{ value: ids['alice'] }] });
    expect(theirs.status).toBe(201);
    expect(theirs.body).not.toHaveProperty('members');
    expect((await hr.get(`/Users/${ids['alice']}`)).status).toBe(200);
  });

  it('filters in SQL, case-insensitive where the schema says so', async () => {
    expect(names((await hr.get(q('userName eq "ALICE@X.COM"'))).body)).toEqual(['alice@x.com']);
    expect(names((await hr.get(q('emails.value eq "alice@x.com"'))).body)).toEqual(['alice@x.com']);
    expect(names((await hr.get(q('emails[type eq "work"].value eq "bob@x.com"'))).body)).toEqual(['bob@x.com']);
    expect(names((await hr.get(q('emails[type eq "work"].value eq "bob@home.org"'))).body)).toEqual([]);
    expect(names((await hr.get(q('externalId eq "E3"'))).body)).toEqual(['carol@y.org']);
    expect(names((await hr.get(q('externalId eq "e3"'))).body)).toEqual([]);
    expect(names((await hr.get(q('displayName co "smith" and not (active eq false)'))).body)).toEqual(['alice@x.com', 'carol@y.org']);
    expect(names((await hr.get(q('active eq false or (userName sw "dave" and displayName pr)'))).body)).toEqual(['bob@x.com', 'dave@y.org']);
    expect(names((await hr.get(q('meta.lastModified gt "2000-01-01T00:00:00Z" and userName ew "y.org"'))).body)).toEqual(['carol@y.org', 'dave@y.org']);
    expect(names((await hr.get(q(`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "r&d"`))).body)).toEqual(['alice@x.com']);
    const groups = await hr.get(`/Groups?filter=${encodeURIComponent(`members.value eq "${ids['carol']}"`)}&excludedAttributes=members`);
    expect(groups.body['Resources'].map((g: Json) => g['displayName'])).toEqual(['Admins']);
    expect(groups.body['Resources'][0]).not.toHaveProperty('members');
    for (const bad of ['nickName eq "x"', 'userName eq', 'active gt true']) {
      const res = await hr.get(q(bad));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    }
  });

  it('pages with the true totalResults and sorts', async () => {
    const page = await hr.get('/Users?startIndex=2&count=2&sortBy=userName&sortOrder=descending');
    expect(page.body).toMatchObject({ totalResults: 4, itemsPerPage: 2, startIndex: 2 });
    expect(page.body['Resources'].map((r: Json) => r['userName'])).toEqual(['carol@y.org', 'bob@x.com']);
    expect((await hr.get('/Users?startIndex=10')).body).toMatchObject({ totalResults: 4, itemsPerPage: 0, Resources: [] });
    expect((await hr.get('/Users?count=0')).body).toMatchObject({ totalResults: 4, itemsPerPage: 0 });
    expect((await hr.get('/Users?count=abc')).status).toBe(400);
  });

  it('projects attributes', async () => {
    const only = await hr.get(`/Users/${ids['alice']}?attributes=userName,${ENTERPRISE}:department`);
    expect(only.body).toEqual({ schemas: expect.any(Array), id: ids['alice'], userName: 'alice@x.com', [ENTERPRISE]: { department: 'R&D' } });
    const without = await hr.get(`/Users/${ids['alice']}?excludedAttributes=emails,meta`);
    expect(without.body).not.toHaveProperty('emails');
    expect(without.body).not.toHaveProperty('meta');
    expect(without.body).toHaveProperty('displayName');
  });

  it('versions: ETag, If-Match → 412, If-None-Match → 304', async () => {
    const read = await hr.get(`/Users/${ids['dave']}`);
    const etag = read.headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/"\d+"$/);
    expect(read.body['meta']['version']).toBe(etag);
    expect((await hr.get(`/Users/${ids['dave']}`, { 'if-none-match': etag })).status).toBe(304);
    const stale = await hr.patch(`/Users/${ids['dave']}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'nickName', value: 'D' }] }, { 'if-match': 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ schemas: [ERROR], status: '412' });
    const fresh = await hr.patch(`/Users/${ids['dave']}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'nickName', value: 'D' }] }, { 'if-match': etag });
    expect(fresh.status).toBe(204);
    expect(fresh.headers.get('etag')).not.toBe(etag);
  });

  it('409 uniqueness, 400 invalidSyntax / invalidValue, 413, never a 5xx for bad input', async () => {
    const dup = await hr.post('/Users', { userName: 'Alice@x.com' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    const malformed = await hr.call('POST', '/Users', '{"userName": tre');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    const wrongType = await hr.post('/Users', { userName: 'x@x.com', active: 'maybe' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({ scimType: 'invalidValue' });
    expect((await hr.post('/Users', { displayName: 'no userName' })).status).toBe(400);
    const big = await hr.post('/Users', { userName: 'big@x.com', title: 'x'.repeat(1_100_000) });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ schemas: [ERROR], status: '413' });
    expect((await hr.post('/Users', { userName: 'nul\u0000@x.com', displayName: '\u0000' })).status).toBeLessThan(500);
    // Too long for the userName index: PostgreSQL refuses it, the client gets a 400.
    expect((await hr.post('/Users', { userName: randomBytes(6000).toString('hex') })).status).toBe(400);
    expect((await hr.get('/Users/not-a-uuid')).status).toBe(404);
    expect((await hr.patch(`/Users/${ids['dave']}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'userName' }] })).status).toBe(400);
    expect((await hr.patch(`/Users/${ids['dave']}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'nosuch[', value: 1 }] })).status).toBe(400);
    expect((await hr.get('/Nope')).body).toMatchObject({ status: '404' });
  });

  it('Bulk: bulkId references in any order, failOnErrors, maxOperations', async () => {
    const res = await hr.post('/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Groups', bulkId: 'g1', data: { displayName: 'Bulk group', members: [{ value: 'bulkId:u1' }] } },
        { method: 'POST', path: '/Users', bulkId: 'u1', data: { userName: 'bulk1@x.com', active: 'True' } },
        { method: 'PATCH', path: '/Users/bulkId:u1', data: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: 'Bulk One' }] } },
        { method: 'POST', path: '/Users', bulkId: 'dup', data: { userName: 'alice@x.com' } },
      ],
    });
    expect(res.status).toBe(200);
    const ops = res.body['Operations'] as Json[];
    // In request order; the group waited for the user it refers to.
    expect(ops.map((o) => [o['bulkId'], o['status']])).toEqual([
      ['g1', '201'],
      ['u1', '201'],
      [undefined, '200'],
      ['dup', '409'],
    ]);
    const user = await hr.get(new URL(ops[1]?.['location'] as string).pathname.replace('/scim/v2', ''));
    expect(user.body).toMatchObject({ userName: 'bulk1@x.com', displayName: 'Bulk One', active: true });
    const group = await hr.get(new URL(ops[0]?.['location'] as string).pathname.replace('/scim/v2', ''));
    expect(group.body['members'].map((m: Json) => m['value'])).toEqual([user.body['id']]);

    const stopped = await hr.post('/Bulk', {
      schemas: [BULK],
      failOnErrors: 1,
      Operations: [
        { method: 'DELETE', path: '/Users/00000000-0000-4000-8000-000000000000' },
        { method: 'POST', path: '/Users', bulkId: 'never', data: { userName: 'never@x.com' } },
      ],
    });
    expect((stopped.body['Operations'] as Json[]).map((o) => o['status'])).toEqual(['404']);
    expect((await hr.get(q('userName eq "never@x.com"'))).body['totalResults']).toBe(0);

    const tooMany = await hr.post('/Bulk', { schemas: [BULK], Operations: Array.from({ length: 1001 }, () => ({ method: 'DELETE', path: '/Users/x' })) });
    expect(tooMany.status).toBe(413);
    const config = (await hr.get('/ServiceProviderConfig')).body;
    expect(config['bulk']).toEqual({ supported: true, maxOperations: 1000, maxPayloadSize: 1048576 });
  });

  it('group PATCH adds (idempotently) and removes members without reading the list', async () => {
    const path = `/Groups/${ids['admins']}`;
    const add = { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: ids['bob'] }] }] };
    expect((await hr.patch(path, add)).status).toBe(204);
    const version = (await hr.get(path)).headers.get('etag');
    expect((await hr.patch(path, add)).status).toBe(204);
    expect((await hr.get(path)).headers.get('etag')).toBe(version);
    const remove = { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${ids['alice']}" or value eq "${ids['bob']}"]` }] };
    expect((await hr.patch(path, remove)).status).toBe(204);
    expect((await hr.get(path)).body['members'].map((m: Json) => m['value'])).toEqual([ids['carol']]);
    const withBody = await hr.patch(`${path}?attributes=displayName`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Admins 2' }] });
    expect(withBody.status).toBe(200);
    expect(withBody.body).toEqual({ schemas: expect.any(Array), id: ids['admins'], displayName: 'Admins 2' });
  });

  it('never logs a token', () => {
    const logs = server.logLines.join('');
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain(DB_TOKEN);
  });
});
