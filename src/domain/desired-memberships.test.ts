import { describe, expect, it } from 'vitest';
import { desiredMemberships, type ObservedAccount, type WorkspaceRules } from './desired-memberships.js';
import { diffRuleGrants, type RuleGrant } from './membership-diff.js';

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
