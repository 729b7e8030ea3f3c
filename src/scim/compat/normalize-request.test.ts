/**
 * Each quirk against the literal request the IdP sends, copied from:
 * - Entra ID: learn.microsoft.com/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
 *   ("Without feature flag" samples) and …/use-scim-to-provision-users-and-groups (request examples);
 * - Okta: developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20;
 * - OneLogin: the SCIM JSON templates of developers.onelogin.com/scim/define-user-schema, as rendered;
 * - Microsoft's SCIM reference Postman collection (../shared/conformance).
 */
import { describe, expect, it } from 'vitest';
import { coerceBooleanStrings, toBoolean } from './coerce-boolean-strings.js';
import { dropExtensionSchemas } from './drop-extension-schemas.js';
import { dropNullAttributes } from './drop-null-attributes.js';
import { dropReadOnlyPatchValues } from './drop-read-only-patch-values.js';
import { expandMembersRemove } from './expand-members-remove.js';
import { expandPathlessReplace } from './expand-pathless-replace.js';
import { lowercasePatchOps } from './lowercase-patch-ops.js';
import { droppedEveryOperation, normalizeRequest } from './normalize-request.js';
import { qualifyEnterpriseAttributes } from './qualify-enterprise-attributes.js';
import type { QuirkContext } from './quirk.js';
import { stripPasswordAndGroups } from './strip-password-and-groups.js';
import { unwrapRoleJson } from './unwrap-role-json.js';
import { wrapManagerValue } from './wrap-manager-value.js';
import { wrapMemberStrings } from './wrap-member-strings.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const patchUsers: QuirkContext = { method: 'PATCH', resourceType: 'Users' };
const patchGroups: QuirkContext = { method: 'PATCH', resourceType: 'Groups' };
const postUsers: QuirkContext = { method: 'POST', resourceType: 'Users' };
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

/** Deep-frozen copies prove the quirks never mutate their input. */
function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) frozen(v);
    Object.freeze(value);
  }
  return value;
}

describe('Entra ID without aadOptscim062020', () => {
  it('lower-cases capitalised ops', () => {
    const body = frozen(patch({ op: 'Replace', path: 'active', value: 'False' }));
    expect(lowercasePatchOps(body, patchUsers)).toEqual(patch({ op: 'replace', path: 'active', value: 'False' }));
    const add = frozen(patch({ op: 'Add', path: 'nickName', value: 'Babs' }));
    expect(lowercasePatchOps(add, patchUsers)).toEqual(patch({ op: 'add', path: 'nickName', value: 'Babs' }));
    const already = frozen(patch({ op: 'add', path: 'nickName', value: 'Babs' }));
    expect(lowercasePatchOps(already, patchUsers)).toBe(already);
    expect(lowercasePatchOps(frozen(patch({ op: 'Frobnicate' })), patchUsers)).toEqual(patch({ op: 'Frobnicate' }));
  });

  it('disables a user with "False": lower-cased op and a boolean value', () => {
    const body = frozen({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Users', body })).toEqual(patch({ op: 'replace', path: 'active', value: false }));
    const enable = frozen(patch({ op: 'Replace', path: 'active', value: 'True' }));
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Users', body: enable })).toEqual(patch({ op: 'replace', path: 'active', value: true }));
  });

  it('coerces "True"/"False" wherever the schema says boolean: POST, PUT and PATCH', () => {
    // Microsoft's reference collection: "Post emp1 with string \"True\"" (and its capitalised "Primary")
    const post = frozen({
      userName: 'emp1',
      active: 'True',
      emails: [{ Primary: 'True', type: 'work', value: 'emp1@example.com' }, { Primary: 'false', type: 'home', value: 'h@example.com' }],
      title: 'True',
    });
    expect(coerceBooleanStrings(post, postUsers)).toEqual({
      userName: 'emp1',
      active: true,
      emails: [{ Primary: true, type: 'work', value: 'emp1@example.com' }, { Primary: false, type: 'home', value: 'h@example.com' }],
      title: 'True',
    });
    expect(coerceBooleanStrings(frozen({ userName: 'x', active: 'False' }), { method: 'PUT', resourceType: 'Users' })).toEqual({ userName: 'x', active: false });
    const ops = frozen(
      patch(
        { op: 'replace', path: 'emails[type eq "work"].primary', value: 'True' },
        { op: 'add', path: 'emails', value: [{ value: 'a@x.com', primary: 'True' }] },
        { op: 'replace', path: 'emails[type eq "work"]', value: { value: 'a@x.com', primary: 'False' } },
        { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:active', value: 'TRUE' },
        { op: 'replace', value: { active: 'False', 'emails[type eq "work"].primary': 'true', displayName: 'True' } },
        { op: 'replace', path: 'displayName', value: 'False' },
        { op: 'replace', path: `${ENTERPRISE}:department`, value: 'True' },
      ),
    );
    expect(coerceBooleanStrings(ops, patchUsers)).toEqual(
      patch(
        { op: 'replace', path: 'emails[type eq "work"].primary', value: true },
        { op: 'add', path: 'emails', value: [{ value: 'a@x.com', primary: true }] },
        { op: 'replace', path: 'emails[type eq "work"]', value: { value: 'a@x.com', primary: false } },
        { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:active', value: true },
        { op: 'replace', value: { active: false, 'emails[type eq "work"].primary': true, displayName: 'True' } },
        { op: 'replace', path: 'displayName', value: 'False' },
        { op: 'replace', path: `${ENTERPRISE}:department`, value: 'True' },
      ),
    );
  });

  it('turns Remove of members with a value array into one filtered remove per member', () => {
    const body = frozen({
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: 'u1091' }] }],
    });
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Groups', body })).toEqual(
      patch({ op: 'remove', path: 'members[value eq "u1091"]' }),
    );
    // the request of "Update Group [Remove Members]", two members, and an id that needs escaping
    const two = frozen(
      patch({ op: 'remove', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }, { value: 'a"b\\c' }] }),
    );
    expect(expandMembersRemove(two, patchGroups)).toEqual(
      patch({ op: 'remove', path: 'members[value eq "f648f8d5ea4e4cd38e9c"]' }, { op: 'remove', path: String.raw`members[value eq "a\"b\\c"]` }),
    );
  });

  it('leaves removes it cannot rewrite to scimmy', () => {
    for (const operation of [
      { op: 'remove', path: 'members' },
      { op: 'remove', path: 'members', value: [] },
      { op: 'remove', path: 'members', value: [{ display: 'no id' }] },
      { op: 'remove', path: 'members[value eq "x"]' },
    ]) {
      const body = frozen(patch(operation));
      expect(expandMembersRemove(body, patchGroups)).toBe(body);
    }
    const users = frozen(patch({ op: 'remove', path: 'members', value: [{ value: 'x' }] }));
    expect(expandMembersRemove(users, patchUsers)).toBe(users);
  });

  it('expands a pathless Replace with dotted and URN keys into path operations', () => {
    // "Requests to replace multiple attributes" (the form the flag sends, which scimmy would append)
    const body = frozen({
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
        {
          op: 'replace',
          value: {
            displayName: 'Bjfe',
            'name.givenName': 'Kkom',
            'name.familyName': 'Unua',
            [`${ENTERPRISE}:employeeNumber`]: 'Aklq',
          },
        },
      ],
    });
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Users', body })).toEqual(
      patch(
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
        { op: 'replace', path: 'displayName', value: 'Bjfe' },
        { op: 'replace', path: 'name.givenName', value: 'Kkom' },
        { op: 'replace', path: 'name.familyName', value: 'Unua' },
        { op: 'replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Aklq' },
      ),
    );
  });

  it('replaces multi-valued attributes instead of appending, and keeps unmentioned sub-attributes', () => {
    const body = frozen(
      patch({
        op: 'Replace',
        value: {
          emails: [{ value: 'new@x.com', type: 'work', primary: 'True' }],
          name: { givenName: 'G' },
          [ENTERPRISE]: { department: 'D', manager: { value: 'm-1' } },
          'emails[type eq "work"].value': 'w@x.com',
        },
      }),
    );
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Users', body })).toEqual(
      patch(
        { op: 'replace', path: 'emails', value: [{ value: 'new@x.com', type: 'work', primary: true }] },
        { op: 'replace', path: 'name.givenName', value: 'G' },
        { op: 'replace', path: `${ENTERPRISE}:department`, value: 'D' },
        { op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: 'm-1' } },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'w@x.com' },
      ),
    );
    // pathless add appends by definition, so it is left alone
    const add = frozen(patch({ op: 'add', value: { emails: [{ value: 'b@x.com' }] } }));
    expect(expandPathlessReplace(add, patchUsers)).toBe(add);
  });

  it('wraps manager given as a bare id or a one-element array', () => {
    const bare = frozen(patch({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: '26118915-6090-4610-87a4-49d0767e9b0d' }));
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Users', body: bare })).toEqual(
      patch({ op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: '26118915-6090-4610-87a4-49d0767e9b0d' } }),
    );
    // "Example 5. Request … to update a user": path "manager", value an array
    const example5 = frozen({
      schemas: [PATCH_OP],
      Operations: [
        {
          op: 'Add',
          path: 'manager',
          value: [{ $ref: 'http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee', value: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee' }],
        },
      ],
    });
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Users', body: example5 })).toEqual(
      patch({
        op: 'add',
        path: `${ENTERPRISE}:manager`,
        value: { $ref: 'http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee', value: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee' },
      }),
    );
    const pathless = frozen(patch({ op: 'replace', value: { [`${ENTERPRISE}:manager`]: 'm-2' } }));
    expect(wrapManagerValue(pathless, patchUsers)).toEqual(patch({ op: 'replace', value: { [`${ENTERPRISE}:manager`]: { value: 'm-2' } } }));
    const post = frozen({ userName: 'a', [ENTERPRISE]: { manager: 'm-3', department: 'D' } });
    expect(wrapManagerValue(post, postUsers)).toEqual({ userName: 'a', [ENTERPRISE]: { manager: { value: 'm-3' }, department: 'D' } });
    const already = frozen(patch({ op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: 'm' } }));
    expect(wrapManagerValue(already, patchUsers)).toEqual(already);
  });

  it('qualifies enterprise attributes named without their schema', () => {
    const body = frozen(patch({ op: 'replace', path: 'department', value: 'Sales' }, { op: 'replace', path: 'displayName', value: 'x' }));
    expect(qualifyEnterpriseAttributes(body, patchUsers)).toEqual(
      patch({ op: 'replace', path: `${ENTERPRISE}:department`, value: 'Sales' }, { op: 'replace', path: 'displayName', value: 'x' }),
    );
    const post = frozen({ userName: 'a', department: 'Sales', [ENTERPRISE]: { employeeNumber: '7', department: 'Kept' }, manager: 'm' });
    expect(qualifyEnterpriseAttributes(post, postUsers)).toEqual({ userName: 'a', [ENTERPRISE]: { employeeNumber: '7', department: 'Kept', manager: 'm' } });
  });

  it('creates a user from the documented request with nulls and a misspelt schema URN', () => {
    // "Example 2. Provision a user"
    const body = frozen({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
      externalId: 'jyoung',
      userName: 'jyoung@testuser.com',
      active: true,
      addresses: null,
      displayName: 'Joy Young',
      emails: [{ type: 'work', value: 'jyoung@Contoso.com', primary: true }],
      meta: { resourceType: 'User' },
      name: { familyName: 'Young', givenName: 'Joy' },
      phoneNumbers: null,
      preferredLanguage: null,
      title: null,
      department: null,
      manager: null,
    });
    expect(normalizeRequest({ method: 'POST', resourceType: 'Users', body })).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
      externalId: 'jyoung',
      userName: 'jyoung@testuser.com',
      active: true,
      displayName: 'Joy Young',
      emails: [{ type: 'work', value: 'jyoung@Contoso.com', primary: true }],
      meta: { resourceType: 'User' },
      name: { familyName: 'Young', givenName: 'Joy' },
    });
  });

  it('drops null member references in PATCH values but keeps a top-level null', () => {
    // "Update Group [Add Members]"
    const body = frozen({ schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }] });
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Groups', body })).toEqual(
      patch({ op: 'add', path: 'members', value: [{ value: 'f648f8d5ea4e4cd38e9c' }] }),
    );
    const clear = frozen(patch({ op: 'replace', path: 'title', value: null }));
    expect(dropNullAttributes(clear, patchUsers)).toBe(clear);
  });
});

describe('Okta', () => {
  it('deactivates with a pathless replace', () => {
    const body = frozen({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Users', body })).toEqual(patch({ op: 'replace', path: 'active', value: false }));
  });

  it('creates a user without storing the password or the read-only groups', () => {
    const body = frozen({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    });
    const result = normalizeRequest({ method: 'POST', resourceType: 'Users', body });
    expect(result).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      active: true,
    });
    expect(JSON.stringify(result)).not.toContain('1mz050nq');
  });

  it('drops groups from a PUT and passwords from any PATCH', () => {
    const put = frozen({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: 'u1', userName: 'a', Password: 'p', groups: [], active: true });
    expect(stripPasswordAndGroups(put, { method: 'PUT', resourceType: 'Users' })).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: 'u1',
      userName: 'a',
      active: true,
    });
    const sync = frozen(patch({ op: 'replace', value: { password: 'secret' } }, { op: 'replace', path: 'password', value: 'secret' }, { op: 'replace', value: { password: 'secret', active: true } }));
    const normalised = normalizeRequest({ method: 'PATCH', resourceType: 'Users', body: sync });
    expect(normalised).toEqual(patch({ op: 'replace', path: 'active', value: true }));
    expect(JSON.stringify(normalised)).not.toContain('secret');
  });

  it('syncs a password with a PATCH that normalises to no operation at all: a no-op, not an empty PatchOp', () => {
    // "Update a specific user (PATCH)": Okta's password sync
    const body = frozen({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { password: 'OktaPassword!' } }] });
    const normalised = normalizeRequest({ method: 'PATCH', resourceType: 'Users', body });
    expect(normalised).toEqual(patch());
    expect(droppedEveryOperation(body, normalised)).toBe(true);
    // Something left to apply, an empty PatchOp from the client, or no PatchOp at all: not a no-op.
    const withActive = frozen(patch({ op: 'replace', value: { password: 'p', active: false } }));
    expect(droppedEveryOperation(withActive, normalizeRequest({ method: 'PATCH', resourceType: 'Users', body: withActive }))).toBe(false);
    expect(droppedEveryOperation(patch(), patch())).toBe(false);
    const notPatchOp = frozen({ schemas: ['urn:x'], Operations: [{ op: 'replace', value: { password: 'p' } }] });
    expect(droppedEveryOperation(notPatchOp, normalizeRequest({ method: 'PATCH', resourceType: 'Users', body: notPatchOp }))).toBe(false);
  });

  it('renames a pushed group by PATCH, dropping the read-only id', () => {
    const body = frozen({
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b', displayName: 'Test SCIMv2' } }],
    });
    expect(dropReadOnlyPatchValues(body, patchGroups)).toEqual(patch({ op: 'replace', value: { displayName: 'Test SCIMv2' } }));
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Groups', body })).toEqual(
      patch({ op: 'replace', path: 'displayName', value: 'Test SCIMv2' }),
    );
  });

  it('passes group push membership changes through unchanged', () => {
    const replace = frozen({
      schemas: [PATCH_OP],
      Operations: [
        {
          op: 'replace',
          path: 'members',
          value: [
            { value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' },
            { value: '89bb1940-b905-4575-9e7f-6f887cfb368e', display: 'test.user@okta.local' },
          ],
        },
      ],
    });
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Groups', body: replace })).toEqual(replace);
    const addRemove = frozen({
      schemas: [PATCH_OP],
      Operations: [
        { op: 'remove', path: 'members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"]' },
        { op: 'add', path: 'members', value: [{ value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' }] },
      ],
    });
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Groups', body: addRemove })).toEqual(addRemove);
  });
});

describe('Entra ID app roles (SingleAppRoleAssignment)', () => {
  // learn.microsoft.com/entra/identity/app-provisioning/customize-application-attributes, "Provisioning a role to a SCIM app"
  const role25 = '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}';

  it('adds a role serialised as JSON in its value: the JSON value becomes the value, its displayName the display', () => {
    // "Example output (PATCH)"
    const body = frozen({ schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'roles', value: [{ value: role25 }] }] });
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Users', body })).toEqual(patch({ op: 'add', path: 'roles', value: [{ value: '25', display: 'Role1234' }] }));
    const pathless = frozen(patch({ op: 'add', value: { roles: [{ value: role25, display: 'Given', type: 'WindowsAzureActiveDirectoryRole' }] } }));
    expect(unwrapRoleJson(pathless, patchUsers)).toEqual(patch({ op: 'add', value: { roles: [{ value: '25', display: 'Given', type: 'WindowsAzureActiveDirectoryRole' }] } }));
    const post = frozen({ userName: 'a', roles: [{ value: role25 }, { value: 'Admin' }] });
    expect(unwrapRoleJson(post, postUsers)).toEqual({ userName: 'a', roles: [{ value: '25', display: 'Role1234' }, { value: 'Admin' }] });
  });

  it('leaves ordinary roles, and text that is not such JSON, as they are', () => {
    // "Example request (POST)", as Entra ID sends it without aadOptscim062020
    const post = frozen({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      externalId: 'alias',
      userName: 'alias@contoso.OnMicrosoft.com',
      active: true,
      displayName: 'First Name Last Name',
      meta: { resourceType: 'User' },
      roles: [{ primary: 'True', type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' }],
    });
    expect(unwrapRoleJson(post, postUsers)).toBe(post);
    expect(normalizeRequest({ method: 'POST', resourceType: 'Users', body: post })).toEqual({ ...post, roles: [{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' }] });
    for (const value of ['{not json', '{"displayName":"no value"}', '{"value":25}', '[1]']) {
      const body = frozen(patch({ op: 'add', path: 'roles', value: [{ value }] }));
      expect(unwrapRoleJson(body, patchUsers)).toBe(body);
    }
    const filtered = frozen(patch({ op: 'replace', path: 'roles[primary eq true].value', value: role25 }));
    expect(unwrapRoleJson(filtered, patchUsers)).toBe(filtered);
  });
});

describe('SCIM test suites', () => {
  it('replace the enterprise extension whole, its "schemas" written out: the member is dropped', () => {
    const body = frozen({
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: ENTERPRISE, value: { schemas: [ENTERPRISE], department: 'Sales', employeeNumber: '701984' } }],
    });
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Users', body })).toEqual(patch({ op: 'add', path: ENTERPRISE, value: { department: 'Sales', employeeNumber: '701984' } }));
    // Pathless, where the extension object would otherwise be split into one path per key (`…:User:schemas`).
    const pathless = frozen(patch({ op: 'Replace', value: { [ENTERPRISE]: { Schemas: [ENTERPRISE], department: 'Sales' } } }));
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Users', body: pathless })).toEqual(patch({ op: 'replace', path: `${ENTERPRISE}:department`, value: 'Sales' }));
    // Only the extension's own value loses it.
    const other = frozen(patch({ op: 'add', path: 'name', value: { schemas: ['x'], givenName: 'G' } }, { op: 'add', path: ENTERPRISE, value: { department: 'D' } }));
    expect(dropExtensionSchemas(other, patchUsers)).toBe(other);
  });
});

describe('OneLogin', () => {
  it('coerces string-typed booleans from its JSON template', () => {
    const body = frozen({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      userName: 'jdoe@example.com',
      name: { familyName: 'Doe', givenName: 'Jane' },
      active: 'true',
      title: 'Engineer',
      emails: [{ value: 'jdoe@example.com', type: 'work', primary: '1' }],
      [ENTERPRISE]: { organization: 'Acme', division: '', department: 'R&D', manager: { value: '', displayName: ' ' } },
    });
    expect(normalizeRequest({ method: 'POST', resourceType: 'Users', body })).toEqual({
      ...body,
      active: true,
      emails: [{ value: 'jdoe@example.com', type: 'work', primary: true }],
    });
  });

  it('coerces only where the schema says boolean', () => {
    expect(toBoolean(' FALSE ')).toBe(false);
    expect(toBoolean('0')).toBe(false);
    expect(toBoolean('yes')).toBe('yes');
    expect(toBoolean(1)).toBe(1);
    const body = frozen({ userName: 'true', displayName: 'False', nickName: '1', active: 'yes' });
    expect(normalizeRequest({ method: 'POST', resourceType: 'Users', body })).toEqual(body);
  });
});

describe("Microsoft's reference collection", () => {
  it('adds a member given as a bare id', () => {
    const body = frozen({ id: 'g1', Operations: [{ op: 'add', path: 'members', value: 'string id 1' }], schemas: [PATCH_OP] });
    expect(wrapMemberStrings(body, patchGroups)).toEqual({
      id: 'g1',
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'string id 1' }] }],
      schemas: [PATCH_OP],
    });
  });
});

describe('normalizeRequest', () => {
  it('passes other methods and non-object bodies through', () => {
    const body = frozen({ anything: null });
    expect(normalizeRequest({ method: 'GET', resourceType: 'Users', body })).toBe(body);
    expect(normalizeRequest({ method: 'DELETE', resourceType: 'Groups', body })).toBe(body);
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Users', body: 'not json object' })).toBe('not json object');
    expect(normalizeRequest({ method: 'post', resourceType: 'Users', body: [1, 2] })).toEqual([1, 2]);
    const noOps = frozen({ schemas: [PATCH_OP], Operations: 'nope' });
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Users', body: noOps })).toBe(noOps);
    const odd = frozen(patch(null, 'x', { op: 42 }));
    expect(normalizeRequest({ method: 'PATCH', resourceType: 'Users', body: odd })).toEqual(odd);
  });
});
