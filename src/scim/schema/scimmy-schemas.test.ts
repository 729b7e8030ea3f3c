import SCIMMY from 'scimmy';
import { describe, expect, it } from 'vitest';
import { GroupDefinition, ScimGroupSchema, ScimUserSchema, UserDefinition, withScimmy } from './scimmy-schemas.js';

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
