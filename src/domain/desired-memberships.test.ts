import { describe, expect, it } from 'vitest';
import { desiredMemberships, type ObservedAccount, type WorkspaceRules } from './desired-memberships.js';
import { diffRuleGrants, type RuleGrant } from './membership-diff.js';
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

const g = (displayName: string, extra: { externalId?: string; aliases?: string[] } = {}) => ({
  displayName,
  externalId: extra.externalId ?? null,
  aliases: extra.aliases ?? [],
});

describe('desiredMemberships', () => {
  it('grants the highest role any rule grants in each workspace', () => {
    const accounts: ObservedAccount[] = [
      { sourceId: 'okta', active: true, groups: [g('Everyone'), g('Analytics Editors'), g('Sales')] },
      { sourceId: 'ldap', active: true, groups: [g('analytics-admins', { aliases: ['cn=analytics-admins,ou=groups,dc=example,dc=com'] })] },
    ];
    const desired = desiredMemberships(accounts, workspaces);
    expect(desired).toEqual([
      { workspaceId: 'analytics', role: 'admin', sourceId: 'ldap', rule: 'admin: ldap/cn=analytics-admins,ou=groups,dc=example,dc=com' },
      { workspaceId: 'sales', role: 'viewer', sourceId: 'okta', rule: 'viewer: okta/Sales' },
    ]);
  });

  it('matches a group by display name, external id or alias, case-insensitively', () => {
    const byName = desiredMemberships([{ sourceId: 'okta', active: true, groups: [g('analytics EDITORS')] }], workspaces);
    const byId = desiredMemberships([{ sourceId: 'okta', active: true, groups: [g('renamed', { externalId: 'Analytics Editors' })] }], workspaces);
    expect(byName[0]?.role).toBe('editor');
    expect(byId[0]?.role).toBe('editor');
  });

  it('honours the source of a rule: a group of the same name in another source grants nothing', () => {
    expect(desiredMemberships([{ sourceId: 'scim', active: true, groups: [g('Analytics Editors')] }], workspaces)).toEqual([]);
  });

  it('"*" matches every source', () => {
    expect(desiredMemberships([{ sourceId: 'scim', active: true, groups: [g('Everyone')] }], workspaces)).toEqual([
      { workspaceId: 'analytics', role: 'viewer', sourceId: 'scim', rule: 'viewer: */Everyone' },
    ]);
  });

  it('ignores inactive accounts', () => {
    const accounts: ObservedAccount[] = [
      { sourceId: 'okta', active: false, groups: [g('Analytics Editors')] },
      { sourceId: 'scim', active: true, groups: [g('Everyone')] },
    ];
    expect(desiredMemberships(accounts, workspaces).map((d) => d.role)).toEqual(['viewer']);
    expect(desiredMemberships([{ sourceId: 'okta', active: false, groups: [g('Everyone')] }], workspaces)).toEqual([]);
  });

  it('picks what trying every rule in order picks: highest role, then first rule, then first account', () => {
    // The rules as config reads: for each workspace, each role from admin down, each rule in
    // order, the first account it matches. The index the implementation uses must agree.
    const byTrying = (accounts: readonly ObservedAccount[], rules: readonly WorkspaceRules[]) => {
      const active = accounts.filter((a) => a.active);
      const names = (a: ObservedAccount) => new Set(a.groups.flatMap((x) => [x.displayName, ...(x.externalId === null ? [] : [x.externalId]), ...x.aliases].map((n) => n.toLowerCase())));
      return rules.flatMap((w) => {
        for (const role of ROLES) {
          for (const rule of w.roles[role]) {
            const account = active.find((a) => (rule.source === '*' || rule.source === a.sourceId) && names(a).has(rule.group.toLowerCase()));
            if (account) return [{ workspaceId: w.id, role, sourceId: account.sourceId, rule: `${role}: ${rule.source}/${rule.group}` }];
          }
        }
        return [];
      });
    };
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), Math.floor(seed / 65536) % n);
    const pick = <T,>(xs: readonly T[]) => xs[next(xs.length)] as T;
    const groups = ['Admins', 'admins', 'Eng', 'Sales', 'Everyone', 'cn=eng,ou=groups', 'Ops'];
    const sources = ['ldap', 'okta', 'scim'];
    let granting = 0;
    for (let round = 0; round < 2000; round++) {
      const rules: WorkspaceRules[] = Array.from({ length: 1 + next(3) }, (_, w) => ({
        id: `w${w}`,
        roles: {
          admin: Array.from({ length: next(3) }, () => ({ source: pick([...sources, '*']), group: pick(groups) })),
          editor: Array.from({ length: next(3) }, () => ({ source: pick([...sources, '*']), group: pick(groups) })),
          viewer: Array.from({ length: next(4) }, () => ({ source: pick([...sources, '*']), group: pick(groups) })),
        },
      }));
      const accounts: ObservedAccount[] = Array.from({ length: 1 + next(3) }, () => ({
        sourceId: pick(sources),
        active: next(5) > 0,
        groups: Array.from({ length: next(4) }, () => g(pick(groups).toUpperCase(), { externalId: next(2) ? pick(groups) : undefined, aliases: next(3) ? [] : [pick(groups)] })),
      }));
      const expected = byTrying(accounts, rules);
      expect(desiredMemberships(accounts, rules)).toEqual(expected);
      if (expected.length > 0) granting++;
    }
    expect(granting).toBeGreaterThan(500);
  });
});

describe('diffRuleGrants', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const want = { workspaceId: 'analytics', role: 'editor' as const, sourceId: 'okta', rule: 'editor: okta/Analytics Editors' };
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
