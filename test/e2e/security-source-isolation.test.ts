/**
 * Security property, end to end over HTTP on both stores: a source's token never reads or changes
 * another source's records — on every SCIM route (GET, PUT, PATCH and DELETE by id, lists and
 * `.search` filtered on `id` / `externalId` / `userName` / `members.value`, Bulk with another
 * source's ids and with bulkId references, the root `.search`), and a group PATCH naming another
 * source's users never links them. Every attempt is made; afterwards the other source's records
 * are compared with a snapshot taken before, through its own token and in the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/domain/secret-tokens.js';
import { STORE_KINDS, type StoreKind } from '../helpers/db.js';
import { scimClient, type Json, type ScimResponse } from './scim-client.js';
import { ADMIN_TOKEN, startScimDaemon, type ScimDaemon } from './scim-daemon.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const HR_TOKEN = 'hr-token-for-the-isolation-test';
const CRM_TOKEN = 'crm-token-for-the-isolation-test';
const CRM_DB_TOKEN = 'crm-stored-token-for-the-isolation-test';

describe.each(STORE_KINDS)('a source never reaches another source’s records (%s)', (kind: StoreKind) => {
  let server: ScimDaemon;
  let hr: ReturnType<typeof scimClient>;
  /** Two tokens of the intruding source: the config's and a stored one. */
  let intruders: Array<ReturnType<typeof scimClient>>;
  const hrIds = { alice: '', bob: '', group: '' };
  let crmGroup = '';
  let crmUser = '';
  let before: string;

  /** hr's records as its own token and the store see them. */
  async function snapshot(): Promise<string> {
    const users = (await hr.get('/Users?count=100&sortBy=userName')).body['Resources'];
    const groups = (await hr.get('/Groups?count=100&sortBy=displayName')).body['Resources'];
    const rows = await server.store.db.query(
      `select u.id, u.user_name, u.external_id, u.version, u.deleted_at, u.active from source_users u where u.source_id = 'hr' order by u.id`,
    );
    const groupRows = await server.store.db.query(`select id, display_name, version, deleted_at from source_groups where source_id = 'hr' order by id`);
    const members = await server.store.db.query(`select source_id, group_id, user_id from source_group_members where source_id = 'hr' order by group_id, user_id`);
    return JSON.stringify({ users, groups, rows: rows.rows, groupRows: groupRows.rows, members: members.rows });
  }

  /** The members of the intruder's groups (of one, given its id), as stored. */
  async function crmMembers(groupId?: string): Promise<string[]> {
    const r = await server.store.db.query<{ user_id: string }>(
      `select user_id from source_group_members where source_id = 'crm' and ($1::uuid is null or group_id = $1::uuid) order by user_id`,
      [groupId ?? null],
    );
    return r.rows.map((m) => m.user_id);
  }

  const expectRefused = (res: ScimResponse, what: string) => {
    expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(404);
    expect(res.body['schemas'], what).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect(JSON.stringify(res.body), what).not.toContain('alice@hr.example.com');
  };
  const expectEmpty = (res: ScimResponse, what: string) => {
    expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(200);
    expect(res.body['totalResults'], what).toBe(0);
    expect(res.body['Resources'] ?? [], what).toEqual([]);
  };

  beforeAll(async () => {
    server = await startScimDaemon({
      kind,
      config: {
        sources: [
          { id: 'hr', kind: 'scim', tokenEnv: 'HR_TOKEN' },
          { id: 'crm', kind: 'scim', tokenEnv: 'CRM_TOKEN' },
        ],
      },
      env: { HR_TOKEN, CRM_TOKEN },
    });
    await server.store.db.query(`insert into api_tokens (token_hash, kind, source_id) values ($1, 'source', 'crm')`, [hashToken(CRM_DB_TOKEN)]);
    hr = scimClient(server.scimUrl, HR_TOKEN);
    intruders = [scimClient(server.scimUrl, CRM_TOKEN), scimClient(server.scimUrl, CRM_DB_TOKEN)];
    const alice = await hr.post('/Users', { userName: 'alice@hr.example.com', externalId: 'HR-1', emails: [{ value: 'alice@hr.example.com', primary: true }] });
    const bob = await hr.post('/Users', { userName: 'bob@hr.example.com', externalId: 'HR-2' });
    expect([alice.status, bob.status]).toEqual([201, 201]);
    hrIds.alice = alice.body['id'];
    hrIds.bob = bob.body['id'];
    const group = await hr.post('/Groups', { displayName: 'HR Admins', externalId: 'HR-G', members: [{ value: hrIds.alice }] });
    hrIds.group = group.body['id'];
    const crm = intruders[0] as ReturnType<typeof scimClient>;
    crmUser = (await crm.post('/Users', { userName: 'carol@crm.example.com', externalId: 'CRM-1' })).body['id'];
    crmGroup = (await crm.post('/Groups', { displayName: 'CRM Team', members: [{ value: crmUser }] })).body['id'];
    before = await snapshot();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('by id: GET, PUT, PATCH, DELETE of Users and Groups are 404, also with preconditions', async () => {
    for (const crm of intruders) {
      for (const [type, id] of [['Users', hrIds.alice], ['Groups', hrIds.group]] as const) {
        expectRefused(await crm.get(`/${type}/${id}`), `GET ${type}`);
        expectRefused(await crm.get(`/${type}/${id.toUpperCase()}`), `GET ${type} in upper case`);
        expectRefused(await crm.get(`/${type}/${id}?attributes=id`, { 'if-none-match': 'W/"1"' }), `GET ${type} If-None-Match`);
        const body = type === 'Users' ? { userName: 'taken@crm.example.com', active: false } : { displayName: 'Taken', members: [{ value: crmUser }] };
        expectRefused(await crm.put(`/${type}/${id}`, body), `PUT ${type}`);
        expectRefused(await crm.put(`/${type}/${id}`, body, { 'if-match': '*' }), `PUT ${type} If-Match *`);
        const patch = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: type === 'Users' ? 'active' : 'displayName', value: type === 'Users' ? false : 'Taken' }] };
        expectRefused(await crm.patch(`/${type}/${id}`, patch), `PATCH ${type}`);
        expectRefused(await crm.delete(`/${type}/${id}`), `DELETE ${type}`);
        expectRefused(await crm.delete(`/${type}/${id}`, { 'if-match': '*' }), `DELETE ${type} If-Match *`);
      }
    }
    expect(await snapshot()).toBe(before);
  });

  it('lists and .search: filters on id, externalId, userName, members.value find nothing of the other source', async () => {
    const userFilters = [
      `id eq "${hrIds.alice}"`,
      `id eq "${hrIds.alice.toUpperCase()}"`,
      `externalId eq "HR-1"`,
      `userName eq "alice@hr.example.com"`,
      `userName sw "alice"`,
      `emails.value co "hr.example.com"`,
      `emails[value eq "alice@hr.example.com"]`,
      `id eq "${hrIds.alice}" or id eq "${crmUser}"`,
      `not (id eq "${crmUser}")`,
    ];
    const groupFilters = [`id eq "${hrIds.group}"`, `externalId eq "HR-G"`, `displayName eq "HR Admins"`, `members.value eq "${hrIds.alice}"`, `members[value eq "${hrIds.alice}"]`];
    for (const crm of intruders) {
      for (const filter of userFilters) {
        const expected = filter.startsWith('id eq') && filter.includes(crmUser) ? 1 : 0;
        const get = await crm.get(`/Users?filter=${encodeURIComponent(filter)}&attributes=userName`);
        const search = await crm.post('/Users/.search', { schemas: [SEARCH], filter, attributes: ['userName'] });
        for (const [how, res] of [['GET', get], ['.search', search]] as const) {
          expect(res.status, `${how} ${filter}`).toBe(200);
          const found = (res.body['Resources'] as Json[]).map((r) => r['id']);
          expect(found.filter((id) => id !== crmUser), `${how} ${filter}`).toEqual([]);
          if (expected === 0 && !filter.startsWith('not')) expect(res.body['totalResults'], `${how} ${filter}`).toBe(0);
        }
      }
      for (const filter of groupFilters) {
        expectEmpty(await crm.get(`/Groups?filter=${encodeURIComponent(filter)}`), `GET Groups ${filter}`);
        expectEmpty(await crm.post('/Groups/.search', { schemas: [SEARCH], filter }), `.search Groups ${filter}`);
      }
      // Unfiltered lists hold the intruder's own records only.
      const all = await crm.get('/Users?count=1000');
      expect((all.body['Resources'] as Json[]).map((r) => r['id'])).toEqual([crmUser]);
      const groups = await crm.get('/Groups?count=1000&attributes=members');
      expect((groups.body['Resources'] as Json[]).map((r) => r['id'])).toEqual([crmGroup]);
      expect(JSON.stringify(groups.body)).not.toContain(hrIds.alice);
      // Searching across resource types is not offered at all.
      const root = await crm.post('/.search', { schemas: [SEARCH], filter: `id eq "${hrIds.alice}"` });
      expect(root.status).toBe(501);
    }
    expect(await snapshot()).toBe(before);
  });

  it("Bulk: operations naming the other source's ids fail one by one; bulkId references reach only the caller's own", async () => {
    for (const crm of intruders) {
      const res = await crm.post('/Bulk', {
        schemas: [BULK],
        Operations: [
          { method: 'PUT', path: `/Users/${hrIds.alice}`, data: { userName: 'alice@hr.example.com', active: false } },
          { method: 'PATCH', path: `/Users/${hrIds.bob}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } },
          { method: 'DELETE', path: `/Users/${hrIds.bob}` },
          { method: 'DELETE', path: `/Groups/${hrIds.group}` },
          { method: 'PATCH', path: `/Groups/${hrIds.group}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: crmUser }] }] } },
          { method: 'PATCH', path: `/Users/../Groups/${hrIds.group}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] } },
          // A new group naming one of its own new users by bulkId, and the other source's users by id.
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'g',
            data: { displayName: `Bulk ${crm === intruders[0] ? 'one' : 'two'}`, members: [{ value: 'bulkId:u' }, { value: hrIds.alice }, { value: hrIds.bob }] },
          },
          { method: 'POST', path: '/Users', bulkId: 'u', data: { userName: `dan-${crm === intruders[0] ? 1 : 2}@crm.example.com`, externalId: 'HR-1' } },
          { method: 'PATCH', path: '/Groups/bulkId:g', data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: hrIds.alice }] }] } },
        ],
      });
      expect(res.status).toBe(200);
      const statuses = (res.body['Operations'] as Json[]).map((o) => o['status']);
      expect(statuses).toEqual(['404', '404', '404', '404', '404', '404', '201', '201', '200']);
      const group = await crm.get(new URL((res.body['Operations'] as Json[])[6]?.['location'] as string).pathname.replace('/scim/v2', ''));
      const dan = new URL((res.body['Operations'] as Json[])[7]?.['location'] as string).pathname.split('/').pop();
      expect(group.body['members'].map((m: Json) => m['value'])).toEqual([dan]);
    }
    expect((await crmMembers()).some((id) => id === hrIds.alice || id === hrIds.bob)).toBe(false);
    expect(await snapshot()).toBe(before);
  });

  it("group PATCH and PUT naming the other source's users never link them", async () => {
    const path = `/Groups/${crmGroup}`;
    const attempts: unknown[] = [
      { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: hrIds.alice }, { value: hrIds.bob.toUpperCase() }] }] },
      { schemas: [PATCH_OP], Operations: [{ op: 'add', value: { members: [{ value: hrIds.alice }] } }] },
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'members', value: [{ value: hrIds.alice }, { value: crmUser }] }] },
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { members: [{ value: hrIds.bob }, { value: crmUser }] } }] },
      { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: hrIds.alice, display: 'Alice' }] }] },
      // Entra ID sends member removals as a value filter; removing another source's user from one's own group touches nothing of theirs.
      { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${hrIds.alice}"]` }] },
      { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members', value: [{ value: hrIds.alice }] }] },
    ];
    for (const crm of intruders) {
      for (const body of attempts) {
        const res = await crm.patch(path, body);
        expect(res.status, JSON.stringify([body, res.body])).toBeLessThan(300);
        expect(await crmMembers(crmGroup), JSON.stringify(body)).toEqual([crmUser]);
      }
      const put = await crm.put(path, { displayName: 'CRM Team', members: [{ value: hrIds.alice }, { value: crmUser }, { value: hrIds.group }] });
      expect(put.status).toBe(200);
      expect(put.body['members'].map((m: Json) => m['value'])).toEqual([crmUser]);
      const created = await crm.post('/Groups', { displayName: `Stolen ${intruders.indexOf(crm)}`, members: [{ value: hrIds.alice }] });
      expect(created.status).toBe(201);
      expect(created.body['members'] ?? []).toEqual([]);
    }
    // Nothing of the intruder's points at the other source's users, in the store either.
    const crossed = await server.store.db.query(
      `select 1 from source_group_members m join source_users u on u.id = m.user_id and u.source_id <> m.source_id`,
    );
    expect(crossed.rows).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it("a user created with the other source's id, externalId or userName is a new record of the caller's own", async () => {
    const crm = intruders[0] as ReturnType<typeof scimClient>;
    const res = await crm.post('/Users', { id: hrIds.alice, userName: 'alice@hr.example.com', externalId: 'HR-1' });
    expect(res.status).toBe(201);
    expect(res.body['id']).not.toBe(hrIds.alice);
    const replaced = await crm.put(`/Users/${res.body['id']}`, { id: hrIds.bob, userName: 'alice@hr.example.com', active: false });
    expect(replaced.status).toBe(200);
    expect(replaced.body['id']).toBe(res.body['id']);
    expect(await snapshot()).toBe(before);
  });

  it('a source token is refused by the admin API, and the admin token by SCIM', async () => {
    for (const token of [HR_TOKEN, CRM_TOKEN, CRM_DB_TOKEN]) {
      const res = await fetch(`${server.daemon.url}/api/v1/sources`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
    }
    const scim = await fetch(`${server.scimUrl}/Users`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(scim.status).toBe(401);
  });
});
