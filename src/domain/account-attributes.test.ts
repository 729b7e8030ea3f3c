import { describe, expect, it } from 'vitest';
import { accountRuleValues, valueAt } from './account-attributes.js';
import { attributeView, DEFAULT_ATTRIBUTES, overrideProblem } from './source-attribute-views.js';

describe('accountRuleValues', () => {
  it('reads SCIM app roles and the enterprise extension as stored, organization from the company column', () => {
    const stored = {
      company: 'Contoso',
      attributes: {
        department: 'Analytics',
        costCenter: 4711,
        title: 'Analyst',
        userType: '',
        roles: [{ value: 'Workspace.Admin', display: 'Admin', primary: true }, { value: 'Reader' }],
        manager: { value: 'm-1' },
      },
    };
    expect(accountRuleValues(attributeView('scim'), stored)).toEqual({
      appRoles: ['Workspace.Admin', 'Reader'],
      attributes: { department: ['Analytics'], costCenter: ['4711'], organization: ['Contoso'], title: ['Analyst'] },
    });
    // An override reads any stored path, and may replace a default.
    expect(accountRuleValues(attributeView('scim', { managerId: 'manager.value', title: 'nickName' }), stored).attributes).toMatchObject({ managerId: ['m-1'] });
    expect(accountRuleValues(attributeView('scim', { title: 'nickName' }), stored).attributes['title']).toBeUndefined();
  });

  it('reads LDAP attributes in the order of their defaults, and several values', () => {
    const view = attributeView('ldap', { department: 'ou' });
    const values = accountRuleValues(view, { company: null, attributes: { dn: 'uid=a', ou: ['A', 'B'], employeeID: '7', employeeNumber: '', departmentNumber: '42' } });
    expect(values).toEqual({ appRoles: [], attributes: { department: ['A', 'B'], employeeNumber: ['7'] } });
  });

  it('reads every Okta profile property by its own name; an override is read from the profile', () => {
    const stored = { company: null, attributes: { status: 'ACTIVE', profile: { department: 'Sales', costCenter: 'CC-1', nickName: null, tags: ['a', 'b'] } } };
    expect(accountRuleValues(attributeView('okta'), stored).attributes).toEqual({ department: ['Sales'], costCenter: ['CC-1'], tags: ['a', 'b'] });
    expect(accountRuleValues(attributeView('okta', { division: 'costCenter' }), stored).attributes).toMatchObject({ division: ['CC-1'] });
    expect(accountRuleValues(attributeView('okta'), stored).appRoles).toEqual([]);
  });

  it('reads Google primary organization fields, its description as employeeType', () => {
    const stored = { company: 'Example', attributes: { organization: { department: 'Eng', description: 'Contractor', title: null } } };
    expect(accountRuleValues(attributeView('google'), stored).attributes).toEqual({ department: ['Eng'], employeeType: ['Contractor'], organization: ['Example'] });
  });

  it('walks paths through arrays and matches keys case-insensitively when no exact key exists', () => {
    expect(valueAt({ roles: [{ value: 'a' }, { Value: 'b' }, {}] }, 'roles.value')).toEqual(['a', 'b']);
    expect(valueAt({ DepartmentNumber: '1' }, 'departmentNumber')).toBe('1');
    expect(valueAt({ a: 'x' }, 'a.b')).toEqual([]);
  });

  it('each kind of source defaults the common attributes of design §4', () => {
    const names = (kind: keyof typeof DEFAULT_ATTRIBUTES) => Object.keys(DEFAULT_ATTRIBUTES[kind].names).sort();
    expect(names('scim')).toEqual(['costCenter', 'department', 'division', 'employeeNumber', 'organization', 'title', 'userType']);
    expect(names('entra')).toEqual(expect.arrayContaining(['companyName', 'department', 'employeeType', 'jobTitle']));
    expect(DEFAULT_ATTRIBUTES.okta.open).toBe('profile');
    expect(overrideProblem('entra', 'officeLocation')).toBeUndefined();
    expect(overrideProblem('entra', 'office location')).toMatch(/Graph user property/);
    expect(overrideProblem('google', 'phones')).toMatch(/stores only/);
    expect(overrideProblem('ldap', 'anything')).toBeUndefined();
  });
});
