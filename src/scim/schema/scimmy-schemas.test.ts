import SCIMMY from 'scimmy';
import { describe, expect, it } from 'vitest';
import { ScimError } from '../scim-error.js';
import { GroupDefinition, ScimGroupSchema, ScimUserSchema, UserDefinition, withScimmy, withScimmyAsync } from './scimmy-schemas.js';

type Json = Record<string, unknown>;
const coerce = (resource: Json) => JSON.parse(JSON.stringify(new ScimUserSchema(resource, 'in'))) as Json;

describe('User and Group schemas', () => {
  it('take any type on every multi-valued attribute, kept exactly as sent', () => {
    const user = {
      userName: 'a@x.com',
      emails: [{ value: 'a@x.com', type: 'Work' }],
      phoneNumbers: [{ value: '+1 555 0100', type: 'Cell' }],
      ims: [{ value: 'a', type: 'Teams' }],
      photos: [{ value: 'https://x.com/a.png', type: 'avatar' }],
      addresses: [{ locality: 'Oslo', type: 'Billing' }],
      entitlements: [{ value: 'e', type: 'license' }],
      roles: [{ value: 'Admin', type: 'WindowsAzureActiveDirectoryRole', primary: true }],
      x509Certificates: [{ value: 'MIIC', type: 'signing' }],
    };
    expect(coerce(user)).toMatchObject(user);
    const group = JSON.parse(JSON.stringify(new ScimGroupSchema({ displayName: 'G', members: [{ value: 'u1', type: 'user' }] }, 'in'))) as Json;
    expect(group['members']).toEqual([{ value: 'u1', type: 'user' }]);
    // Other attributes are validated as before.
    expect(() => withScimmy(() => coerce({ userName: 'a', emails: [{ value: 'a', type: 7 }] }))).toThrow(/Attribute 'type' expected value type 'string'/);
  });

  it('still describe the canonical values as suggestions in /Schemas, and none where RFC 7643 defines none', () => {
    const described = JSON.parse(JSON.stringify(UserDefinition.describe(''))) as { attributes: Array<{ name: string; subAttributes?: Array<Json> }> };
    const typeOf = (name: string) => described.attributes.find((a) => a.name === name)?.subAttributes?.find((s) => s['name'] === 'type');
    expect(typeOf('emails')).toMatchObject({ canonicalValues: ['work', 'home', 'other'], caseExact: false });
    expect(typeOf('phoneNumbers')?.['canonicalValues']).toEqual(['work', 'home', 'mobile', 'fax', 'pager', 'other']);
    expect(typeOf('roles')).not.toHaveProperty('canonicalValues');
    expect(typeOf('x509Certificates')).not.toHaveProperty('canonicalValues');
    const group = JSON.parse(JSON.stringify(GroupDefinition.describe(''))) as typeof described;
    expect(group.attributes.find((a) => a.name === 'members')?.subAttributes?.find((s) => s['name'] === 'type')?.['canonicalValues']).toEqual(['User', 'Group']);
    // scimmy's own definitions are left as they were.
    expect(() => new SCIMMY.Schemas.User({ userName: 'a', emails: [{ value: 'a', type: 'Work' }] }, 'in')).toThrow();
  });
});

describe('withScimmy', () => {
  it("passes scimmy's validation messages on as 400s", () => {
    const error = catchOf(() => withScimmy(() => coerce({ displayName: 'no userName' })));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue', detail: "Required attribute 'userName' is missing", hidesCause: false });
  });

  it('hides the text of a runtime error, naming what it can', async () => {
    const runtime = new TypeError("Cannot read properties of undefined (reading 'secretField')");
    expect(catchOf(() => withScimmy(() => { throw runtime; }))).toMatchObject({ status: 400, scimType: 'invalidValue', detail: 'A value in the request cannot be accepted', hidesCause: true, cause: runtime });
    // scimmy wraps runtime errors in its own 400s, appending where they happened.
    const wrapped = new SCIMMY.Types.Error(400, 'invalidValue', "Cannot add property schemas, object is not extensible for 'add' op of operation 2 in PatchOp request body");
    const named = await withScimmyAsync(() => Promise.reject(wrapped), (index) => (index === 2 ? 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' : undefined)).catch((e: unknown) => e);
    expect(named).toMatchObject({ status: 400, detail: 'Operation 2: the value for "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" cannot be accepted', hidesCause: true });
    const inAttribute = new TypeError("x is not a function from complex attribute 'name'");
    expect(catchOf(() => withScimmy(() => { throw inAttribute; }))).toMatchObject({ detail: 'The value of "name" cannot be accepted' });
    for (const error of [runtime, wrapped, inAttribute]) {
      const mapped = catchOf(() => withScimmy(() => { throw error; }));
      expect((mapped as ScimError).detail).not.toMatch(/Cannot|secretField|extensible|not a function/);
    }
  });

  it('leaves other errors to the caller', () => {
    const other = new Error('connect ECONNREFUSED');
    expect(catchOf(() => withScimmy(() => { throw other; }))).toBe(other);
  });
});

function catchOf(step: () => unknown): unknown {
  try {
    step();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
