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

/** A rule as matching needs it: the group name lower-cased, and the text grants record. */
interface CompiledRule {
  source: string;
  group: string;
  text: string;
}

/**
 * Each workspace's rules, compiled once: a reconcile job matches them against hundreds of people,
 * and lower-casing every rule's group for every person cost more than the matching itself.
 * Keyed by the rule set, which comes from the parsed config and is never changed in place (a new
 * config brings new objects, compiled anew).
 */
const compiled = new WeakMap<WorkspaceRules, ReadonlyArray<readonly CompiledRule[]>>();

function rulesByRole(workspace: WorkspaceRules): ReadonlyArray<readonly CompiledRule[]> {
  let byRole = compiled.get(workspace);
  if (!byRole) {
    byRole = ROLES.map((role) => workspace.roles[role].map((r) => ({ source: r.source, group: r.group.toLowerCase(), text: `${role}: ${r.source}/${r.group}` })));
    compiled.set(workspace, byRole);
  }
  return byRole;
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
    const byRole = rulesByRole(workspace);
    for (let r = 0; r < ROLES.length; r++) {
      const role = ROLES[r] as Role;
      if (best !== undefined && compareRoles(best.role, role) >= 0) break;
      for (const rule of byRole[r] as readonly CompiledRule[]) {
        const account = active.find((a) => (rule.source === '*' || rule.source === a.sourceId) && a.names.has(rule.group));
        if (account) {
          best = { workspaceId: workspace.id, role, sourceId: account.sourceId, rule: rule.text };
          break;
        }
      }
    }
    if (best) result.push(best);
  }
  return result;
}
