import { describe, expect, it } from 'vitest';
import { desiredMemberships, ruleMatches, type DesiredMembership, type MatchedValue, type ObservedAccount, type WorkspaceRules } from './desired-memberships.js';
import { diffRuleGrants, type RuleGrant } from './membership-diff.js';
import { ruleText, type RoleRule } from './role-rules.js';
import { ROLES } from './roles.js';

const workspaces: WorkspaceRules[] = [
  {
    id: 'analytics',
    roles: {
      admin: [{ source: 'ldap', group: 'cn=analytics-admins,ou=groups,dc=example,dc=com' }],
      editor: [{ source: 'okta', group: 'Analytics Editors' }],
      viewer: [{ source: '*', group: 'Everyone' }],
    },
  },
  { id: 'sales', roles: { admin: [], editor: [], viewer: [{ source: 'okta', group: 'Sales' }] } },
];

let accounts = 0;
/** An account of `sourceId` with these groups (and optionally app roles and attributes). */
const acct = (sourceId: string, active: boolean, groups: ObservedAccount['groups'], more: Partial<ObservedAccount> = {}): ObservedAccount => {
  accounts++;
  return { sourceId, accountId: `id-${accounts}`, userName: `user${accounts}`, active, groups, ...more };
};

const g = (displayName: string, extra: { externalId?: string; aliases?: string[] } = {}) => ({
  displayName,
  externalId: extra.externalId ?? null,
  aliases: extra.aliases ?? [],
});

describe('desiredMemberships', () => {
  it('grants the highest role any rule grants in each workspace, with the evidence behind it', () => {
    const okta = acct('okta', true, [g('Everyone'), g('Analytics Editors'), g('Sales')]);
    const ldap = acct('ldap', true, [g('analytics-admins', { externalId: 'e-1', aliases: ['cn=analytics-admins,ou=groups,dc=example,dc=com'] })]);
    const desired = desiredMemberships([okta, ldap], workspaces);
    expect(desired).toEqual([
      {
        workspaceId: 'analytics',
        role: 'admin',
        sourceId: 'ldap',
        rule: 'admin: ldap/cn=analytics-admins,ou=groups,dc=example,dc=com',
        evidence: {
          account: { sourceId: 'ldap', accountId: ldap.accountId, userName: ldap.userName },
          rule: { role: 'admin', index: 0, source: 'ldap', text: 'admin: ldap/cn=analytics-admins,ou=groups,dc=example,dc=com' },
          matched: { kind: 'group', displayName: 'analytics-admins', externalId: 'e-1', name: 'cn=analytics-admins,ou=groups,dc=example,dc=com' },
        },
      },
      {
        workspaceId: 'sales',
        role: 'viewer',
        sourceId: 'okta',
        rule: 'viewer: okta/Sales',
        evidence: {
          account: { sourceId: 'okta', accountId: okta.accountId, userName: okta.userName },
          rule: { role: 'viewer', index: 0, source: 'okta', text: 'viewer: okta/Sales' },
          matched: { kind: 'group', displayName: 'Sales', externalId: null, name: 'Sales' },
        },
      },
    ]);
  });

  it('matches a group by display name, external id or alias, case-insensitively', () => {
    const byName = desiredMemberships([acct('okta', true, [g('analytics EDITORS')])], workspaces);
    const byId = desiredMemberships([acct('okta', true, [g('renamed', { externalId: 'Analytics Editors' })])], workspaces);
    expect(byName[0]?.role).toBe('editor');
    expect(byId[0]?.role).toBe('editor');
    expect(byId[0]?.evidence.matched).toEqual({ kind: 'group', displayName: 'renamed', externalId: 'Analytics Editors', name: 'Analytics Editors' });
  });

  it('honours the source of a rule: a group of the same name in another source grants nothing', () => {
    expect(desiredMemberships([acct('scim', true, [g('Analytics Editors')])], workspaces)).toEqual([]);
  });

  it('"*" matches every source', () => {
    expect(desiredMemberships([acct('scim', true, [g('Everyone')])], workspaces)).toMatchObject([
      { workspaceId: 'analytics', role: 'viewer', sourceId: 'scim', rule: 'viewer: */Everyone', evidence: { rule: { role: 'viewer', index: 0, source: '*' } } },
    ]);
  });

  it('ignores inactive accounts', () => {
    const accounts: ObservedAccount[] = [acct('okta', false, [g('Analytics Editors')]), acct('scim', true, [g('Everyone')])];
    expect(desiredMemberships(accounts, workspaces).map((d) => d.role)).toEqual(['viewer']);
    expect(desiredMemberships([acct('okta', false, [g('Everyone')])], workspaces)).toEqual([]);
    expect(desiredMemberships([acct('scim', false, [], { appRoles: ['Workspace.Admin'] })], mixed)).toEqual([]);
  });

  // The example: app roles, groups and attributes side by side.
  const mixed: WorkspaceRules[] = [
    {
      id: 'analytics',
      roles: {
        admin: [{ source: 'entra-scim', appRole: 'Workspace.Admin' }],
        editor: [
          { source: 'corp-ldap', group: 'cn=analytics,ou=groups,dc=example,dc=com' },
          { source: 'okta', attribute: 'department', equals: 'Analytics' },
        ],
        viewer: [{ source: '*', attribute: 'employeeType', in: ['Employee', 'Contractor'] }],
      },
    },
  ];

  it('grants on an app role pushed over SCIM, case-insensitively, naming the role value', () => {
    const scim = acct('entra-scim', true, [], { appRoles: ['User', 'workspace.ADMIN'] });
    expect(desiredMemberships([scim], mixed)).toEqual([
      {
        workspaceId: 'analytics',
        role: 'admin',
        sourceId: 'entra-scim',
        rule: 'admin: entra-scim/appRole=Workspace.Admin',
        evidence: {
          account: { sourceId: 'entra-scim', accountId: scim.accountId, userName: scim.userName },
          rule: { role: 'admin', index: 0, source: 'entra-scim', text: 'admin: entra-scim/appRole=Workspace.Admin' },
          matched: { kind: 'appRole', value: 'workspace.ADMIN' },
        },
      },
    ]);
    // The same value from another source is no app role of that rule's source.
    expect(desiredMemberships([acct('okta', true, [], { appRoles: ['Workspace.Admin'] })], mixed)).toEqual([]);
  });

  it('grants on an attribute with equals or in, case-insensitively in name and value, naming attribute and value', () => {
    const okta = acct('okta', true, [], { attributes: { Department: ['ANALYTICS'] } });
    const [editor] = desiredMemberships([okta], mixed);
    expect(editor).toMatchObject({ role: 'editor', rule: 'editor: okta/department=Analytics' });
    expect(editor?.evidence.rule.index).toBe(1);
    expect(editor?.evidence.matched).toEqual({ kind: 'attribute', attribute: 'Department', value: 'ANALYTICS' });
    const [viewer] = desiredMemberships([acct('corp-ldap', true, [], { attributes: { employeeType: ['intern', 'contractor'] } })], mixed);
    expect(viewer).toMatchObject({ role: 'viewer', rule: 'viewer: */employeeType in [Employee, Contractor]' });
    expect(viewer?.evidence.matched).toEqual({ kind: 'attribute', attribute: 'employeeType', value: 'contractor' });
    expect(desiredMemberships([acct('corp-ldap', true, [], { attributes: { employeeType: ['Intern'], department: ['Analytics'] } })], mixed)).toEqual([]);
  });

  it('lets the highest role win across every kind of rule and every account', () => {
    const ldap = acct('corp-ldap', true, [g('analytics', { aliases: ['cn=analytics,ou=groups,dc=example,dc=com'] })], { attributes: { employeeType: ['Employee'] } });
    const scim = acct('entra-scim', true, [], { appRoles: ['Workspace.Admin'], attributes: { employeeType: ['Employee'] } });
    expect(desiredMemberships([ldap], mixed).map((d) => [d.role, d.evidence.matched.kind])).toEqual([['editor', 'group']]);
    expect(desiredMemberships([ldap, scim], mixed).map((d) => [d.role, d.evidence.matched.kind])).toEqual([['admin', 'appRole']]);
    expect(desiredMemberships([acct('corp-ldap', true, [], { attributes: { employeeType: ['Employee'] } })], mixed).map((d) => d.role)).toEqual(['viewer']);
  });

  it('lists every match for an explanation, the winning one first', () => {
    const ldap = acct('corp-ldap', true, [g('analytics', { aliases: ['cn=analytics,ou=groups,dc=example,dc=com'] })], { attributes: { employeeType: ['Employee'] } });
    const scim = acct('entra-scim', true, [], { appRoles: ['Workspace.Admin'], attributes: { employeeType: ['Contractor'] } });
    const matches = ruleMatches([ldap, scim], mixed[0] as WorkspaceRules);
    expect(matches.map((m) => [m.rule.text, m.account.sourceId])).toEqual([
      ['admin: entra-scim/appRole=Workspace.Admin', 'entra-scim'],
      ['editor: corp-ldap/cn=analytics,ou=groups,dc=example,dc=com', 'corp-ldap'],
      ['viewer: */employeeType in [Employee, Contractor]', 'corp-ldap'],
      ['viewer: */employeeType in [Employee, Contractor]', 'entra-scim'],
    ]);
    expect(matches[0]).toEqual(desiredMemberships([ldap, scim], mixed)[0]?.evidence);
  });

  it('picks what trying every rule in order picks: highest role, then first rule, then first account, then first thing matched', () => {
    // The rules as config reads: for each workspace, each role from admin down, each rule in
    // order, the first account it matches and that account's first group name, role or value it
    // matches. The index the implementation uses must agree, evidence included.
    const candidates = (a: ObservedAccount): Array<{ kind: 'group' | 'appRole' | 'attribute'; attribute?: string; value: string; matched: MatchedValue }> => [
      ...a.groups.flatMap((x) =>
        [x.displayName, ...(x.externalId === null ? [] : [x.externalId]), ...x.aliases].map((name) => ({
          kind: 'group' as const,
          value: name,
          matched: { kind: 'group' as const, displayName: x.displayName, externalId: x.externalId, name },
        })),
      ),
      ...(a.appRoles ?? []).map((value) => ({ kind: 'appRole' as const, value, matched: { kind: 'appRole' as const, value } })),
      ...Object.entries(a.attributes ?? {}).flatMap(([attribute, values]) =>
        values.map((value) => ({ kind: 'attribute' as const, attribute, value, matched: { kind: 'attribute' as const, attribute, value } })),
      ),
    ];
    const same = (x: string, y: string) => x.toLowerCase() === y.toLowerCase();
    const accepts = (rule: RoleRule, c: ReturnType<typeof candidates>[number]) =>
      'group' in rule
        ? c.kind === 'group' && same(c.value, rule.group)
        : 'appRole' in rule
          ? c.kind === 'appRole' && same(c.value, rule.appRole)
          : c.kind === 'attribute' && same(c.attribute as string, rule.attribute) && ('equals' in rule ? [rule.equals] : rule.in).some((v) => same(v, c.value));
    const byTrying = (accounts: readonly ObservedAccount[], rules: readonly WorkspaceRules[]): DesiredMembership[] => {
      const active = accounts.filter((a) => a.active);
      return rules.flatMap((w) => {
        for (const role of ROLES) {
          for (const [index, rule] of w.roles[role].entries()) {
            for (const account of active) {
              if (rule.source !== '*' && rule.source !== account.sourceId) continue;
              const c = candidates(account).find((x) => accepts(rule, x));
              if (!c) continue;
              const text = ruleText(role, rule);
              return [{
                workspaceId: w.id,
                role,
                sourceId: account.sourceId,
                rule: text,
                evidence: { account: { sourceId: account.sourceId, accountId: account.accountId, userName: account.userName }, rule: { role, index, source: rule.source, text }, matched: c.matched },
              }];
            }
          }
        }
        return [];
      });
    };
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), Math.floor(seed / 65536) % n);
    const pick = <T,>(xs: readonly T[]) => xs[next(xs.length)] as T;
    const groups = ['Admins', 'admins', 'Eng', 'Sales', 'Everyone', 'cn=eng,ou=groups', 'Ops'];
    const appRoles = ['Workspace.Admin', 'workspace.admin', 'Reader', 'Eng'];
    const attributes = ['department', 'Department', 'employeeType'];
    const values = ['Eng', 'eng', 'Sales', 'Employee', 'Contractor'];
    const sources = ['ldap', 'okta', 'scim'];
    const randomRule = (): RoleRule => {
      const source = pick([...sources, '*']);
      switch (next(4)) {
        case 0:
          return { source, appRole: pick(appRoles) };
        case 1:
          return { source, attribute: pick(attributes), equals: pick(values) };
        case 2:
          return { source, attribute: pick(attributes), in: Array.from({ length: 1 + next(3) }, () => pick(values)) };
        default:
          return { source, group: pick(groups) };
      }
    };
    let granting = 0;
    const kinds = new Set<string>();
    for (let round = 0; round < 3000; round++) {
      const rules: WorkspaceRules[] = Array.from({ length: 1 + next(3) }, (_, w) => ({
        id: `w${w}`,
        roles: {
          admin: Array.from({ length: next(3) }, randomRule),
          editor: Array.from({ length: next(3) }, randomRule),
          viewer: Array.from({ length: next(4) }, randomRule),
        },
      }));
      const accounts: ObservedAccount[] = Array.from({ length: 1 + next(3) }, () =>
        acct(
          pick(sources),
          next(5) > 0,
          Array.from({ length: next(4) }, () => g(pick(groups).toUpperCase(), { externalId: next(2) ? pick(groups) : undefined, aliases: next(3) ? [] : [pick(groups)] })),
          {
            appRoles: Array.from({ length: next(3) }, () => pick(appRoles)),
            attributes: Object.fromEntries(Array.from({ length: next(3) }, () => [pick(attributes), Array.from({ length: 1 + next(2) }, () => pick(values))])),
          },
        ),
      );
      const expected = byTrying(accounts, rules);
      expect(desiredMemberships(accounts, rules)).toEqual(expected);
      for (const w of rules) expect(ruleMatches(accounts, w)[0]).toEqual(expected.find((d) => d.workspaceId === w.id)?.evidence);
      for (const d of expected) kinds.add(d.evidence.matched.kind);
      if (expected.length > 0) granting++;
    }
    expect(granting).toBeGreaterThan(1000);
    expect([...kinds].sort()).toEqual(['appRole', 'attribute', 'group']);
  });
});

describe('diffRuleGrants', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const want: DesiredMembership = {
    workspaceId: 'analytics',
    role: 'editor',
    sourceId: 'okta',
    rule: 'editor: okta/Analytics Editors',
    evidence: {
      account: { sourceId: 'okta', accountId: 'a1', userName: 'ann' },
      rule: { role: 'editor', index: 0, source: 'okta', text: 'editor: okta/Analytics Editors' },
      matched: { kind: 'group', displayName: 'Analytics Editors', externalId: null, name: 'Analytics Editors' },
    },
  };
  const grant = (over: Partial<RuleGrant>): RuleGrant => ({
    id: 'g1', workspaceId: 'analytics', role: 'editor', status: 'active', sourceId: 'okta', rule: want.rule, validUntil: null, ...over,
  });

  it('grants what is missing, with a validity for external people only', () => {
    expect(diffRuleGrants([], [want], { now, externalValidityMs: null })).toEqual([{ kind: 'grant', desired: want, validUntil: null }]);
    const [ext] = diffRuleGrants([], [want], { now, externalValidityMs: 90 * 86_400_000 });
    expect(ext).toMatchObject({ kind: 'grant', validUntil: new Date('2026-04-01T00:00:00Z') });
  });

  it('writes nothing when the grant already matches', () => {
    expect(diffRuleGrants([grant({})], [want], { now, externalValidityMs: null })).toEqual([]);
  });

  it('suspends active grants no rule wants any more, and leaves other states alone', () => {
    const changes = diffRuleGrants([grant({}), grant({ id: 'g2', workspaceId: 'sales', status: 'expired' })], [], { now, externalValidityMs: null });
    expect(changes).toEqual([{ kind: 'suspend', grant: grant({}) }]);
  });

  it('reactivates a suspended grant keeping its validity, and a removed one with a fresh validity', () => {
    const until = new Date('2026-02-01T00:00:00Z');
    expect(diffRuleGrants([grant({ status: 'suspended', validUntil: until })], [want], { now, externalValidityMs: 1000 })).toEqual([
      { kind: 'reactivate', grant: grant({ status: 'suspended', validUntil: until }), desired: want, validUntil: until },
    ]);
    const [again] = diffRuleGrants([grant({ status: 'removed', validUntil: until })], [want], { now, externalValidityMs: 1000 });
    expect(again).toMatchObject({ kind: 'reactivate', validUntil: new Date(now.getTime() + 1000) });
  });

  it('changes the role but not the status of an expired grant', () => {
    const [change] = diffRuleGrants([grant({ role: 'viewer', status: 'expired' })], [want], { now, externalValidityMs: null });
    expect(change).toMatchObject({ kind: 'change-role', desired: { role: 'editor' } });
  });
});
