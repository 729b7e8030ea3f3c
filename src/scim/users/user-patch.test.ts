import { describe, expect, it } from 'vitest';
import { normalizeRequest } from '../compat/normalize-request.js';
import { patchUser } from './user-patch.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const alice = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: 'u1', userName: 'alice@x.com', active: true, emails: [{ value: 'home@x.org', type: 'home' }] };
const patch = (...Operations: unknown[]) => patchUser(alice, normalizeRequest({ method: 'PATCH', resourceType: 'Users', body: { schemas: [PATCH_OP], Operations } }));

describe('patchUser', () => {
  it('Entra ID replaces a work e-mail the user does not have: it is added, and later operations find it', async () => {
    const patched = await patch(
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'alice@x.com' },
      { op: 'Replace', path: 'emails[type eq "work"].primary', value: 'True' },
    );
    expect(patched?.['emails']).toEqual([{ value: 'home@x.org', type: 'home' }, { value: 'alice@x.com', type: 'work', primary: true }]);
  });

  it("Entra ID's SingleAppRoleAssignment: roles[primary eq \"True\"] adds the primary role, then changes it in place", async () => {
    // The mapping's three operations, as Entra sends them for a user without roles.
    const assign = (role: string) => [
      { op: 'Add', path: 'roles[primary eq "True"].value', value: role },
      { op: 'Add', path: 'roles[primary eq "True"].display', value: role },
      { op: 'Add', path: 'roles[primary eq "True"].type', value: 'WindowsAzureActiveDirectoryRole' },
    ];
    const patched = await patch(...assign('Admin'));
    expect(patched?.['roles']).toEqual([{ primary: true, value: 'Admin', display: 'Admin', type: 'WindowsAzureActiveDirectoryRole' }]);
    const changed = await patchUser(patched!, normalizeRequest({ method: 'PATCH', resourceType: 'Users', body: { schemas: [PATCH_OP], Operations: assign('Reader').map((o) => ({ ...o, op: 'Replace' })) } }));
    expect(changed?.['roles']).toEqual([{ primary: true, value: 'Reader', display: 'Reader', type: 'WindowsAzureActiveDirectoryRole' }]);
  });

  it('replaces an existing typed value in place', async () => {
    const patched = await patch({ op: 'replace', path: 'emails[type eq "home"].value', value: 'new@x.org' });
    expect(patched?.['emails']).toEqual([{ value: 'new@x.org', type: 'home' }]);
  });

  it('returns undefined when nothing changes, and never keeps a password', async () => {
    expect(await patch({ op: 'replace', path: 'active', value: 'True' })).toBeUndefined();
    const patched = await patch({ op: 'replace', value: { password: 'secret', nickName: 'Al' } });
    expect(JSON.stringify(patched)).not.toContain('secret');
  });

  it("scimmy's TypeErrors become 400 invalidValue, not 500", async () => {
    await expect(patch({ op: 'replace', path: 'active', value: 'perhaps' })).rejects.toMatchObject({ status: 400, scimType: 'invalidValue' });
    await expect(patch({ op: 'remove', path: 'userName' })).rejects.toMatchObject({ status: 400 });
    await expect(patch({ op: 'replace', path: 'nosuch', value: 1 })).rejects.toMatchObject({ status: 400, scimType: 'invalidPath' });
  });
});
