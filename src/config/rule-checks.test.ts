import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './load.js';

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const sources = [
  { id: 'entra-scim', kind: 'scim' },
  { id: 'corp-ldap', kind: 'ldap', url: 'ldap://127.0.0.1:389', users: { baseDn: 'dc=example,dc=com' }, attributes: { department: 'departmentNumber', email: 'mail', costCenter: 'x-costCenter' } },
  { id: 'okta', kind: 'okta', orgUrl: 'https://example.okta.com', apiTokenEnv: 'OKTA_TOKEN' },
  { id: 'entra', kind: 'entra', tenantId: 't', clientId: 'c', clientSecretEnv: 'S' },
];

const withRules = (roles: Record<string, unknown[]>, extraSources: unknown[] = []) => ({
  sources: [...sources, ...extraSources],
  workspaces: [{ id: 'analytics', name: 'Analytics', roles }],
});

describe('rules in the config', () => {
  it('accepts the issue example: app role, group, attribute equals and in', () => {
    const config = parseConfig(
      withRules({
        admin: [{ source: 'entra-scim', appRole: 'Workspace.Admin' }],
        editor: [
          { source: 'corp-ldap', group: 'cn=analytics,ou=groups,dc=example,dc=com' },
          { source: 'okta', attribute: 'department', equals: 'Analytics' },
        ],
        viewer: [{ source: '*', attribute: 'employeeType', in: ['Employee', 'Contractor'] }, { source: 'corp-ldap', attribute: 'costCenter', equals: 'CC-1' }],
      }),
    );
    expect(config.workspaces[0]?.roles.admin).toEqual([{ source: 'entra-scim', appRole: 'Workspace.Admin' }]);
    expect(config.workspaces[0]?.roles.viewer[0]).toEqual({ source: '*', attribute: 'employeeType', in: ['Employee', 'Contractor'] });
  });

  it('names a malformed rule by its path', () => {
    expect(
      problems(
        withRules({
          admin: [{ source: 'entra-scim' }, { source: 'entra-scim', appRole: 'A', group: 'G' }],
          editor: [{ source: 'okta', attribute: 'department' }, { source: 'okta', attribute: 'department', equals: 'A', in: ['B'] }],
          viewer: [{ source: 'okta', group: 'G', equals: 'x' }, { source: 'okta', attribute: 'department', in: [] }, { source: 'okta', appRole: 'A', value: 'x' }],
        }),
      ),
    ).toEqual([
      'workspaces[0].roles.admin[0]: a rule needs one of group, appRole or attribute',
      'workspaces[0].roles.admin[1]: a rule has one of group, appRole or attribute, not group and appRole',
      'workspaces[0].roles.editor[0].attribute: an attribute rule needs equals or in',
      'workspaces[0].roles.editor[1].in: either equals or in, not both',
      'workspaces[0].roles.viewer[0].equals: equals goes with attribute',
      'workspaces[0].roles.viewer[1].in: Too small: expected array to have >=1 items',
      'workspaces[0].roles.viewer[2]: unknown option "value"',
      'workspaces[0].roles.viewer[2].appRole: source "okta" is of kind okta: app roles come only from SCIM sources',
    ]);
  });

  it('names a rule that can never match: an app role outside SCIM, an attribute the source does not map', () => {
    expect(
      problems(
        withRules({
          admin: [{ source: 'corp-ldap', appRole: 'Workspace.Admin' }],
          editor: [
            { source: 'corp-ldap', attribute: 'jobTitle', equals: 'Engineer' },
            { source: 'entra', attribute: 'costCenter', equals: 'CC-1' },
            { source: 'okta', attribute: 'anyProfileProperty', equals: 'fine' },
          ],
          viewer: [{ source: '*', attribute: 'favouriteColour', equals: 'blue' }, { source: 'entra', attribute: 'JOBTITLE', equals: 'fine' }],
        }),
      ),
    ).toEqual([
      'workspaces[0].roles.admin[0].appRole: source "corp-ldap" is of kind ldap: app roles come only from SCIM sources',
      'workspaces[0].roles.editor[0].attribute: source "corp-ldap" (ldap) has no attribute "jobTitle": it maps department, employeeType, employeeNumber, title, organization, costCenter; add it to that source\'s attributes',
      'workspaces[0].roles.editor[1].attribute: source "entra" (entra) has no attribute "costCenter": it maps department, jobTitle, employeeType, companyName, userType; add it to that source\'s attributes',
    ]);
    // Every Okta profile property is an attribute: `*` may name any attribute while an Okta source is configured; without one it names none here.
    const noOkta = { sources: [sources[0], sources[1]], workspaces: [{ id: 'a', name: 'A', roles: { viewer: [{ source: '*', attribute: 'favouriteColour', equals: 'blue' }, { source: '*', attribute: 'costcenter', equals: 'CC-1' }] } }] };
    expect(problems(noOkta)).toEqual(['workspaces[0].roles.viewer[0].attribute: no source has an attribute "favouriteColour"; add it to a source\'s attributes']);
  });

  it('an app role on every source needs a SCIM source', () => {
    const config = { sources: [sources[2]], workspaces: [{ id: 'a', name: 'A', roles: { viewer: [{ source: '*', appRole: 'Reader' }] } }] };
    expect(problems(config)).toEqual(['workspaces[0].roles.viewer[0].appRole: no SCIM source is configured: app roles come only from SCIM sources']);
  });

  it("names an attributes: entry the connector cannot read, and a bad attribute name", () => {
    const entra = { id: 'entra2', kind: 'entra', tenantId: 't', clientId: 'c', clientSecretEnv: 'S', attributes: { office: 'officeLocation', ext1: 'onPremisesExtensionAttributes.extensionAttribute1', bad: 'office location' } };
    const ldap = { id: 'ldap2', kind: 'ldap', url: 'ldap://x', users: { baseDn: 'dc=x' }, attributes: { '1bad': 'ou', cost: 'not an attribute' } };
    const google = { id: 'gws', kind: 'google', customer: 'c', adminSubject: 'a@example.com', serviceAccountKeyEnv: 'K', attributes: { site: 'organization.location', phone: 'phones' } };
    expect(problems({ sources: [entra, ldap, google] })).toEqual([
      'sources[1].attributes.cost: must be an LDAP attribute name',
      'sources[1].attributes["1bad"]: attribute name must be a letter followed by letters, digits or "_" (at most 63)',
      'sources[0].attributes.bad: cannot map "office location": must be a Graph user property such as officeLocation or onPremisesExtensionAttributes.extensionAttribute1',
      'sources[2].attributes.phone: cannot map "phones": the google connector stores only organization.department, organization.title, organization.costCenter, organization.description, organization.location, organization.name, orgUnitPath, isAdmin',
    ]);
  });
});
