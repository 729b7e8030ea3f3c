/**
 * Payloads real IdPs and third-party SCIM test suites send, literally, through the daemon: Entra
 * ID's app-role assignments (learn.microsoft.com/entra/identity/app-provisioning/customize-application-attributes,
 * "Provisioning a role to a SCIM app"), a `type` outside the canonical list, and the enterprise
 * extension written out with its own `schemas`. What is stored must read back as sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../helpers/db.js';
import { scimClient, type Json } from './scim-client.js';
import { startScimDaemon, type ScimDaemon } from './scim-daemon.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe.each(STORE_KINDS)('IdP payloads (%s)', (kind) => {
  let server: ScimDaemon;
  let entra: ReturnType<typeof scimClient>;
  /** The `roles` the stored row keeps, as a later rule will read them. */
  const storedRoles = async (id: string) => {
    const row = await server.store.db.query<{ roles: unknown }>(`select attributes->'roles' as roles from source_users where id = $1`, [id]);
    return row.rows[0]?.roles;
  };

  beforeAll(async () => {
    server = await startScimDaemon({ kind, config: { sources: [{ id: 'entra', kind: 'scim', tokenEnv: 'ENTRA_TOKEN' }] }, env: { ENTRA_TOKEN: 'entra-secret' } });
    entra = scimClient(server.scimUrl, 'entra-secret');
  });
  afterAll(async () => {
    await server?.close();
  });

  it("Entra ID's app roles: POST, PATCH add (role as JSON text), PATCH replace, PUT — stored and returned as sent", async () => {
    // SingleAppRoleAssignment, "Example request (POST)", with the string "True" Entra ID sends without aadOptscim062020.
    const created = await entra.post('/Users', {
      schemas: [USER],
      externalId: 'alias',
      userName: 'alias@contoso.OnMicrosoft.com',
      active: true,
      displayName: 'First Name Last Name',
      meta: { resourceType: 'User' },
      roles: [{ primary: 'True', type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' }],
    });
    expect(created.status).toBe(201);
    const id = created.body['id'] as string;
    const admin = { value: 'Admin', type: 'WindowsAzureActiveDirectoryRole', primary: true };
    expect(created.body['roles']).toEqual([admin]);
    expect((await entra.get(`/Users/${id}`)).body['roles']).toEqual([admin]);
    expect(await storedRoles(id)).toEqual([admin]);

    // SingleAppRoleAssignment, "Example output (PATCH)": the role serialised as JSON in `value`.
    const added = await entra.patch(`/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', path: 'roles', value: [{ value: '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}' }] }],
    });
    expect(added.status).toBe(204);
    const role25 = { value: '25', display: 'Role1234' };
    expect((await entra.get(`/Users/${id}`)).body['roles']).toEqual([admin, role25]);
    expect(await storedRoles(id)).toEqual([admin, role25]);

    // AppRoleAssignmentsComplex's roles, all primary = false, replacing the user's roles.
    const complex = [
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Admin', value: 'Admin' },
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'User', value: 'User' },
    ];
    const replaced = await entra.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'roles', value: complex }] });
    expect(replaced.status).toBe(204);
    expect((await entra.get(`/Users/${id}`)).body['roles']).toEqual(complex.map(({ value, display, type, primary }) => ({ value, display, type, primary })));
    expect(await storedRoles(id)).toEqual(complex.map(({ value, display, type, primary }) => ({ value, display, type, primary })));

    // AppRoleAssignmentsComplex, "Example output": the whole user, sent as a PUT.
    const put = await entra.put(`/Users/${id}`, {
      schemas: [USER],
      externalId: 'alias',
      userName: 'alias@contoso.OnMicrosoft.com',
      active: true,
      displayName: 'First Name Last Name',
      meta: { resourceType: 'User' },
      roles: [complex[1]],
    });
    expect(put.status).toBe(200);
    const user = { value: 'User', display: 'User', type: 'WindowsAzureActiveDirectoryRole', primary: false };
    expect(put.body['roles']).toEqual([user]);
    expect(await storedRoles(id)).toEqual([user]);
  });

  it('a type outside the canonical values ("Work") is kept as sent, and filters match it case-insensitively', async () => {
    const created = await entra.post('/Users', {
      schemas: [USER],
      userName: 'pat@contoso.com',
      emails: [{ value: 'pat@contoso.com', type: 'Work', primary: true }],
      phoneNumbers: [{ value: '+1 555 0100', type: 'Cell' }],
    });
    expect(created.status).toBe(201);
    const read = await entra.get(`/Users/${created.body['id']}`);
    expect(read.body['emails']).toEqual([{ value: 'pat@contoso.com', type: 'Work', primary: true }]);
    expect(read.body['phoneNumbers']).toEqual([{ value: '+1 555 0100', type: 'Cell' }]);
    const found = await entra.get(`/Users?filter=${encodeURIComponent('emails[type eq "work"].value eq "pat@contoso.com"')}`);
    expect(found.body['Resources'].map((r: Json) => r['id'])).toEqual([created.body['id']]);
  });

  it('the enterprise extension written out with its own "schemas": the member is ignored, the attributes applied', async () => {
    const created = await entra.post('/Users', { schemas: [USER], userName: 'ext@contoso.com' });
    const id = created.body['id'] as string;
    for (const op of ['add', 'replace']) {
      const res = await entra.patch(`/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op, path: ENTERPRISE, value: { schemas: [ENTERPRISE], department: `Sales (${op})`, employeeNumber: '701984' } }],
      });
      expect(res.status).toBe(204);
      expect((await entra.get(`/Users/${id}`)).body[ENTERPRISE]).toEqual({ employeeNumber: '701984', department: `Sales (${op})` });
    }
    // An attribute the extension does not have is refused — by name, without JavaScript's words for it.
    const unknown = await entra.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: ENTERPRISE, value: { id: 'x' } }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ schemas: [ERROR], status: '400', detail: expect.stringContaining(ENTERPRISE) });
    expect(unknown.body['detail']).not.toMatch(/extensible|Cannot add/);
  });
});
