/**
 * Provisioning cycles replayed request for request as Entra ID and Okta send them (bodies from
 * learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups and
 * its "without aadOptscim062020" samples, and developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20),
 * then the memberships idsync grants, through the admin API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../helpers/db.js';
import { expectMembers, scimClient, type Json } from './scim-client.js';
import { startScimDaemon, type ScimDaemon } from './scim-daemon.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

const config = {
  organization: { internalDomains: ['example.com'] },
  sources: [
    { id: 'entra', kind: 'scim', tokenEnv: 'ENTRA_TOKEN' },
    { id: 'okta', kind: 'scim', tokenEnv: 'OKTA_TOKEN' },
  ],
  workspaces: [
    { id: 'eng', name: 'Engineering', roles: { editor: [{ source: 'entra', group: 'Engineering' }] } },
    { id: 'ops', name: 'Operations', roles: { admin: [{ source: 'okta', group: 'Okta Engineering' }], viewer: [{ source: 'okta', group: 'Test SCIMv2' }] } },
  ],
};

describe.each(STORE_KINDS)('IdP provisioning cycles (%s)', (kind) => {
  let server: ScimDaemon;
  beforeAll(async () => {
    server = await startScimDaemon({ kind, config, env: { ENTRA_TOKEN: 'entra-secret', OKTA_TOKEN: 'okta-secret' }, worker: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('Entra ID: probe, create user, empty group, add member, replace attributes, disable "False", enable "True", delete', async () => {
    const entra = scimClient(server.scimUrl, 'entra-secret');
    const url = server.daemon.url ?? '';

    // Test connection: a random userName that does not exist.
    const probe = await entra.get(`/Users?filter=${encodeURIComponent('userName eq "ab6490ee-1e48-479e-a20b-2d77186b5dd1"')}`);
    expect(probe.status).toBe(200);
    expect(probe.body).toMatchObject({ totalResults: 0, Resources: [] });

    expect((await entra.get(`/Users?filter=${encodeURIComponent('userName eq "Alice@Example.com"')}`)).body['totalResults']).toBe(0);
    const created = await entra.post('/Users', {
      schemas: [USER, ENTERPRISE],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Alice@Example.com',
      active: true,
      addresses: null,
      meta: { resourceType: 'User' },
      name: { formatted: 'Alice Liddell', familyName: 'Liddell', givenName: 'Alice' },
      roles: [],
      [ENTERPRISE]: { department: 'R&D', manager: null },
    });
    expect(created.status).toBe(201);
    const userId = created.body['id'] as string;
    expect(created.headers.get('location')).toBe(`${server.scimUrl}/Users/${userId}`);
    // Case-insensitive userName lookup finds her.
    const found = await entra.get(`/Users?filter=${encodeURIComponent('userName eq "alice@example.COM"')}`);
    expect(found.body['Resources'].map((r: Json) => r['id'])).toEqual([userId]);

    expect((await entra.get(`/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Engineering"')}`)).body['totalResults']).toBe(0);
    const group = await entra.post('/Groups', { schemas: [GROUP], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'Engineering', meta: { resourceType: 'Group' } });
    expect(group.status).toBe(201);
    const groupId = group.body['id'] as string;

    const added = await entra.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: userId }] }] });
    expect(added.status).toBe(204);
    await expectMembers(url, 'eng', [{ email: 'alice@example.com', role: 'editor', status: 'active' }]);
    const members = await entra.get(`/Groups/${groupId}`);
    expect(members.body['members']).toEqual([expect.objectContaining({ value: userId })]);

    const replaced = await entra.patch(`/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [
        // She has no work e-mail yet: the replace adds one (scimmy alone would answer noTarget).
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'alice@example.com' },
        { op: 'Replace', value: { displayName: 'Alice L.', 'name.givenName': 'Alicia', [`${ENTERPRISE}:employeeNumber`]: '42' } },
        { op: 'Add', path: `${ENTERPRISE}:manager`, value: '2819c223-7f76-453a-919d-413861904646' },
      ],
    });
    expect(replaced.status).toBe(204);
    const after = (await entra.get(`/Users/${userId}`)).body;
    expect(after).toMatchObject({
      displayName: 'Alice L.',
      name: { givenName: 'Alicia', familyName: 'Liddell' },
      emails: [{ type: 'work', value: 'alice@example.com' }],
      [ENTERPRISE]: { department: 'R&D', employeeNumber: '42', manager: { value: '2819c223-7f76-453a-919d-413861904646' } },
    });

    expect((await entra.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })).status).toBe(204);
    const disabled = await entra.get(`/Users/${userId}`);
    expect(disabled.status).toBe(200);
    expect(disabled.body['active']).toBe(false);
    await expectMembers(url, 'eng', [{ email: 'alice@example.com', role: 'editor', status: 'suspended' }]);

    expect((await entra.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] })).status).toBe(204);
    await expectMembers(url, 'eng', [{ email: 'alice@example.com', role: 'editor', status: 'active' }]);

    expect((await entra.delete(`/Users/${userId}`)).status).toBe(204);
    expect((await entra.get(`/Users/${userId}`)).status).toBe(404);
    await expectMembers(url, 'eng', [{ email: 'alice@example.com', role: 'editor', status: 'suspended' }]);
  });

  it('Okta: create, GET-then-PUT, deactivate, group push, rename, members replace, unlink', async () => {
    const okta = scimClient(server.scimUrl, 'okta-secret');
    const url = server.daemon.url ?? '';
    const create = (userName: string, externalId: string) =>
      okta.post('/Users', {
        schemas: [USER],
        userName,
        name: { givenName: 'Test', familyName: 'User' },
        emails: [{ primary: true, value: userName, type: 'work' }],
        displayName: 'Test User',
        locale: 'en-US',
        externalId,
        groups: [],
        password: '1mz050nq',
        active: true,
      });
    expect((await okta.get(`/Users?filter=${encodeURIComponent('userName eq "test.user@example.com"')}&startIndex=1&count=100`)).body['totalResults']).toBe(0);
    const a = await create('test.user@example.com', '00ujl29u0le5T6Aj10h7');
    expect(a.status).toBe(201);
    expect(JSON.stringify(a.body)).not.toContain('1mz050nq');
    expect(a.body).not.toHaveProperty('groups');
    const b = await create('bob@example.com', '00ujl29u0le5T6Aj10h8');
    const [idA, idB] = [a.body['id'] as string, b.body['id'] as string];

    // Profile update: GET, then PUT the whole user back with a change.
    const current = (await okta.get(`/Users/${idA}`)).body;
    const put = await okta.put(`/Users/${idA}`, { ...current, name: { givenName: 'Another', familyName: 'User' }, groups: [], password: 'x' });
    expect(put.status).toBe(200);
    expect(put.body['name']).toEqual({ givenName: 'Another', familyName: 'User' });
    expect(put.body['meta']['version']).not.toBe(current['meta']['version']);

    const deactivate = await okta.patch(`/Users/${idA}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(deactivate.status).toBe(204);
    expect((await okta.get(`/Users/${idA}`)).body['active']).toBe(false);

    const pushed = await okta.post('/Groups', { schemas: [GROUP], displayName: 'Test SCIMv2', members: [{ value: idB, display: 'bob@example.com' }] });
    expect(pushed.status).toBe(201);
    const groupId = pushed.body['id'] as string;
    expect(pushed.body['members']).toEqual([expect.objectContaining({ value: idB, display: 'bob@example.com' })]);
    await expectMembers(url, 'ops', [{ email: 'bob@example.com', role: 'viewer', status: 'active' }]);

    const renamed = await okta.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: groupId, displayName: 'Okta Engineering' } }] });
    expect(renamed.status).toBe(204);
    await expectMembers(url, 'ops', [{ email: 'bob@example.com', role: 'admin', status: 'active' }]);

    const replaced = await okta.patch(`/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'members', value: [{ value: idA, display: 'test.user@example.com' }] }],
    });
    expect(replaced.status).toBe(204);
    expect((await okta.get(`/Groups/${groupId}`)).body['members'].map((m: Json) => m['value'])).toEqual([idA]);
    // Bob left the group; the deactivated user gains nothing.
    await expectMembers(url, 'ops', [{ email: 'bob@example.com', role: 'admin', status: 'suspended' }]);

    expect((await okta.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: idB, display: 'bob@example.com' }] }] })).status).toBe(204);
    await expectMembers(url, 'ops', [{ email: 'bob@example.com', role: 'admin', status: 'active' }]);

    expect((await okta.delete(`/Groups/${groupId}`)).status).toBe(204);
    expect((await okta.get(`/Groups/${groupId}`)).status).toBe(404);
    await expectMembers(url, 'ops', [{ email: 'bob@example.com', role: 'admin', status: 'suspended' }]);

    // Okta's users and groups are invisible to Entra's token.
    const entra = scimClient(server.scimUrl, 'entra-secret');
    expect((await entra.get(`/Users/${idB}`)).status).toBe(404);
  });
});

