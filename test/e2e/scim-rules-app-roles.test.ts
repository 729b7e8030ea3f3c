/**
 * Rules on what an IdP pushes over SCIM, through the daemon: Entra ID's app-role assignments
 * (`roles[].value`, "Provisioning a role to a SCIM app", learn.microsoft.com/entra/identity/app-provisioning/customize-application-attributes)
 * and enterprise-extension attributes, each change moving the role at the next reconcile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../helpers/db.js';
import { expectMembers, scimClient } from './scim-client.js';
import { startScimDaemon, type ScimDaemon } from './scim-daemon.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe.each(STORE_KINDS)('rules on SCIM app roles and attributes (%s)', (kind) => {
  let server: ScimDaemon;
  let entra: ReturnType<typeof scimClient>;
  const url = () => server.daemon.url as string;
  const grant = async (email: string) =>
    (
      await server.store.db.query<{ role: string; status: string; rule: string }>(
        `select m.role, m.status, m.rule from memberships m join people p on p.id = m.person_id where lower(p.email) = $1 and m.workspace_id = 'analytics'`,
        [email],
      )
    ).rows[0];

  beforeAll(async () => {
    server = await startScimDaemon({
      kind,
      worker: true,
      env: { ENTRA_TOKEN: 'entra-secret' },
      config: {
        organization: { internalDomains: ['contoso.com'] },
        sources: [{ id: 'entra-scim', kind: 'scim', tokenEnv: 'ENTRA_TOKEN' }],
        workspaces: [
          {
            id: 'analytics',
            name: 'Analytics',
            roles: {
              admin: [{ source: 'entra-scim', appRole: 'Workspace.Admin' }],
              editor: [{ source: 'entra-scim', attribute: 'department', equals: 'Analytics' }],
              viewer: [{ source: '*', attribute: 'userType', in: ['Employee', 'Contractor'] }],
            },
          },
        ],
      },
    });
    entra = scimClient(server.scimUrl, 'entra-secret');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('an app role pushed by Entra ID grants its role; attributes grant theirs; the highest wins and each change moves it', async () => {
    // SingleAppRoleAssignment as Entra ID creates the user ("True" as a string, without aadOptscim062020).
    const created = await entra.post('/Users', {
      schemas: [USER, ENTERPRISE],
      externalId: 'ann',
      userName: 'ann@contoso.com',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'ann@contoso.com' }],
      userType: 'Employee',
      [ENTERPRISE]: { department: 'Research' },
      roles: [{ primary: 'True', type: 'WindowsAzureActiveDirectoryRole', value: 'Workspace.Admin' }],
    });
    expect(created.status).toBe(201);
    const id = created.body['id'] as string;
    await expectMembers(url(), 'analytics', [{ email: 'ann@contoso.com', role: 'admin', status: 'active' }]);
    expect(await grant('ann@contoso.com')).toEqual({ role: 'admin', status: 'active', rule: 'admin: entra-scim/appRole=Workspace.Admin' });

    // The assignment replaced by another app role (AppRoleAssignmentsComplex): only the attribute rule is left.
    const replaced = await entra.patch(`/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'roles', value: [{ primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'User', value: 'User' }] }],
    });
    expect(replaced.status).toBe(204);
    await expectMembers(url(), 'analytics', [{ email: 'ann@contoso.com', role: 'viewer', status: 'active' }]);

    // Entra ID's attribute update of the enterprise extension: the department now matches.
    const moved = await entra.patch(`/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: `${ENTERPRISE}:department`, value: 'analytics' }],
    });
    expect(moved.status).toBe(204);
    await expectMembers(url(), 'analytics', [{ email: 'ann@contoso.com', role: 'editor', status: 'active' }]);
    expect(await grant('ann@contoso.com')).toEqual({ role: 'editor', status: 'active', rule: 'editor: entra-scim/department=Analytics' });

    // The app role again, added as Entra ID adds one by PATCH (the role serialised as JSON in `value`).
    const added = await entra.patch(`/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', path: 'roles', value: [{ value: '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"Workspace.Admin","displayName":"Workspace admin"}' }] }],
    });
    expect(added.status).toBe(204);
    await expectMembers(url(), 'analytics', [{ email: 'ann@contoso.com', role: 'admin', status: 'active' }]);

    // Nothing matches any more: the grant is suspended at once.
    const none = await entra.patch(`/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'roles', value: [] },
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Sales' },
        { op: 'Replace', path: 'userType', value: 'Guest' },
      ],
    });
    expect(none.status).toBe(204);
    await expectMembers(url(), 'analytics', [{ email: 'ann@contoso.com', role: 'admin', status: 'suspended' }]);
  });
});
