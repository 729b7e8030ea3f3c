/**
 * The normalised requests are ones scimmy accepts and applies as the IdP meant: each literal IdP
 * request goes through `normalizeRequest`, then through scimmy's own User/Group schema and PatchOp.
 */
import SCIMMY from 'scimmy';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeRequest } from './normalize-request.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

beforeAll(() => {
  SCIMMY.Resources.declare(SCIMMY.Resources.User).extend(SCIMMY.Schemas.EnterpriseUser, false);
  SCIMMY.Resources.declare(SCIMMY.Resources.Group);
});

type Json = Record<string, unknown>;

async function applyPatch(resourceType: 'Users' | 'Groups', current: Json, body: Json): Promise<Json> {
  const Schema = resourceType === 'Users' ? SCIMMY.Schemas.User : SCIMMY.Schemas.Group;
  const normalised = normalizeRequest({ method: 'PATCH', resourceType, body }) as Json;
  const message = new SCIMMY.Messages.PatchOp(normalised as never);
  const patched = await message.apply(new Schema(current, 'out') as never);
  return JSON.parse(JSON.stringify(patched ?? current)) as Json;
}

const alice: Json = {
  id: 'u-1',
  userName: 'alice@x.com',
  active: true,
  name: { givenName: 'Alice', familyName: 'Liddell' },
  emails: [{ value: 'alice@x.com', type: 'work', primary: true }],
  [ENTERPRISE]: { department: 'R&D', manager: { value: 'm-1' } },
};

describe('normalised requests through scimmy', () => {
  it('Entra ID disables with "False" and re-enables with "True"', async () => {
    const off = await applyPatch('Users', alice, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(off['active']).toBe(false);
    const on = await applyPatch('Users', off, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] });
    expect(on['active']).toBe(true);
  });

  it('a pathless replace of emails replaces them and keeps the unmentioned name parts', async () => {
    const patched = await applyPatch('Users', alice, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { emails: [{ value: 'new@x.com', type: 'work', primary: 'True' }], name: { givenName: 'Al' } } }],
    });
    expect(patched['emails']).toEqual([{ value: 'new@x.com', type: 'work', primary: true }]);
    expect(patched['name']).toEqual({ givenName: 'Al', familyName: 'Liddell' });
  });

  it('dotted and URN keys, and a bare manager id, land where Entra ID meant', async () => {
    const patched = await applyPatch('Users', alice, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', value: { 'name.givenName': 'Kkom', [`${ENTERPRISE}:employeeNumber`]: 'Aklq', [`${ENTERPRISE}:manager`]: 'm-2' } },
        { op: 'Replace', path: 'department', value: 'Sales' },
      ],
    });
    expect(patched['name']).toEqual({ givenName: 'Kkom', familyName: 'Liddell' });
    expect(patched[ENTERPRISE]).toEqual({ employeeNumber: 'Aklq', department: 'Sales', manager: { value: 'm-2' } });
  });

  it('Entra ID removes one member with a value array; the others stay', async () => {
    const group: Json = { id: 'g-1', displayName: 'G', members: [{ value: 'u1091' }, { value: 'u2000' }] };
    const patched = await applyPatch('Groups', group, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: 'u1091' }] }],
    });
    expect(patched['members']).toEqual([{ value: 'u2000' }]);
  });

  it('Okta deactivates and renames a group', async () => {
    const off = await applyPatch('Users', alice, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(off['active']).toBe(false);
    const group: Json = { id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b', displayName: 'Old', members: [{ value: 'u1' }] };
    const renamed = await applyPatch('Groups', group, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b', displayName: 'Test SCIMv2' } }],
    });
    expect(renamed).toMatchObject({ displayName: 'Test SCIMv2', members: [{ value: 'u1' }] });
  });

  it('created resources parse: Entra nulls, Okta password and groups, OneLogin strings', () => {
    const bodies: Json[] = [
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'jyoung@testuser.com', active: true, addresses: null, phoneNumbers: null, manager: null, department: 'Sales' },
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'test.user@okta.local', groups: [], password: '1mz050nq', active: true },
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'jdoe@example.com', active: 'true', emails: [{ value: 'jdoe@example.com', primary: '1' }] },
    ];
    const parsed = bodies.map((body) => {
      const normalised = normalizeRequest({ method: 'POST', resourceType: 'Users', body });
      return JSON.parse(JSON.stringify(new SCIMMY.Schemas.User(normalised as never, 'in'))) as Json;
    });
    expect(parsed[0]).toMatchObject({ userName: 'jyoung@testuser.com', [ENTERPRISE]: { department: 'Sales' } });
    expect(JSON.stringify(parsed[1])).not.toContain('1mz050nq');
    expect(parsed[2]).toMatchObject({ active: true, emails: [{ value: 'jdoe@example.com', primary: true }] });
  });
});
