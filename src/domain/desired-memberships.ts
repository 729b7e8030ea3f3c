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

function groupMatches(group: ObservedGroup, name: string): boolean {
  const wanted = name.toLowerCase();
  if (group.displayName.toLowerCase() === wanted) return true;
  if (group.externalId !== null && group.externalId.toLowerCase() === wanted) return true;
  return group.aliases.some((a) => a.toLowerCase() === wanted);
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
  const active = accounts.filter((a) => a.active);
  if (active.length === 0) return [];
  const result: DesiredMembership[] = [];
  for (const workspace of workspaces) {
    let best: DesiredMembership | undefined;
    for (const role of ROLES) {
      if (best !== undefined && compareRoles(best.role, role) >= 0) break;
      for (const rule of workspace.roles[role]) {
        const account = active.find(
          (a) => (rule.source === '*' || rule.source === a.sourceId) && a.groups.some((g) => groupMatches(g, rule.group)),
        );
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
