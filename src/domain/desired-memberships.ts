import { compareRoles, ROLES, type Role } from './roles.js';

/** One workspace's rule set, as in config `workspaces[].roles`. */
export interface WorkspaceRules {
  id: string;
  roles: Record<Role, ReadonlyArray<{ source: string; group: string }>>;
}

/** A source user that backs the person, with the groups it is in (observed state). */
export interface ObservedAccount {
  sourceId: string;
  active: boolean;
  groups: ReadonlyArray<ObservedGroup>;
}

export interface ObservedGroup {
  externalId: string | null;
  displayName: string;
  aliases: readonly string[];
}

export interface DesiredMembership {
  workspaceId: string;
  role: Role;
  /** The source and rule that grant the role, e.g. `corp-ldap` and `admin: cn=admins,…`. */
  sourceId: string;
  rule: string;
}

/** Every name a rule may use for the account's groups, lower-cased: display names, external ids, aliases. */
function groupNames(account: ObservedAccount): Set<string> {
  const names = new Set<string>();
  for (const g of account.groups) {
    names.add(g.displayName.toLowerCase());
    if (g.externalId !== null) names.add(g.externalId.toLowerCase());
    for (const a of g.aliases) names.add(a.toLowerCase());
  }
  return names;
}

/**
 * The memberships the rules grant one person, from everything the sources currently say about them.
 * Only active accounts count; in each workspace the highest role any rule grants wins.
 * Pure: no I/O, no clock.
 */
export function desiredMemberships(
  accounts: readonly ObservedAccount[],
  workspaces: readonly WorkspaceRules[],
): DesiredMembership[] {
  const active = accounts.filter((a) => a.active && a.groups.length > 0).map((a) => ({ sourceId: a.sourceId, names: groupNames(a) }));
  if (active.length === 0) return [];
  const result: DesiredMembership[] = [];
  for (const workspace of workspaces) {
    let best: DesiredMembership | undefined;
    for (const role of ROLES) {
      if (best !== undefined && compareRoles(best.role, role) >= 0) break;
      for (const rule of workspace.roles[role]) {
        const wanted = rule.group.toLowerCase();
        const account = active.find((a) => (rule.source === '*' || rule.source === a.sourceId) && a.names.has(wanted));
        if (account) {
          best = { workspaceId: workspace.id, role, sourceId: account.sourceId, rule: `${role}: ${rule.source}/${rule.group}` };
          break;
        }
      }
    }
    if (best) result.push(best);
  }
  return result;
}
