import { ROLES, type Role } from './roles.js';

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

/** A rule as matching needs it, at its rank: the role's (0 = admin) and its place in that role's list. */
interface CompiledRule {
  source: string;
  role: Role;
  rank: number;
  text: string;
}

/**
 * Each workspace's rules, indexed once by the lower-cased group name they name, in rank order: a
 * reconcile job matches them against hundreds of people, and looking up a person's few group
 * names costs less than trying every rule against them (lower-casing each rule's group each time).
 * Keyed by the rule set, which comes from the parsed config and is never changed in place (a new
 * config brings new objects, indexed anew).
 */
const indexed = new WeakMap<WorkspaceRules, ReadonlyMap<string, readonly CompiledRule[]>>();

function rulesByGroup(workspace: WorkspaceRules): ReadonlyMap<string, readonly CompiledRule[]> {
  let index = indexed.get(workspace);
  if (!index) {
    const byGroup = new Map<string, CompiledRule[]>();
    let rank = 0;
    for (const role of ROLES) {
      for (const r of workspace.roles[role]) {
        const group = r.group.toLowerCase();
        const list = byGroup.get(group) ?? [];
        list.push({ source: r.source, role, rank: rank++, text: `${role}: ${r.source}/${r.group}` });
        byGroup.set(group, list);
      }
    }
    index = byGroup;
    indexed.set(workspace, index);
  }
  return index;
}

/** Every name a rule may use for the account's groups, lower-cased: display names, external ids, aliases. */
function groupNames(account: ObservedAccount): string[] {
  const names: string[] = [];
  for (const g of account.groups) {
    names.push(g.displayName.toLowerCase());
    if (g.externalId !== null) names.push(g.externalId.toLowerCase());
    for (const a of g.aliases) names.push(a.toLowerCase());
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
    const index = rulesByGroup(workspace);
    // The highest role any rule grants, by the first such rule in the config; for that rule, the
    // first account it matches.
    let best: CompiledRule | undefined;
    let by: string | undefined;
    for (const account of active) {
      for (const name of account.names) {
        for (const rule of index.get(name) ?? []) {
          if (best !== undefined && rule.rank >= best.rank) break;
          if (rule.source === '*' || rule.source === account.sourceId) {
            best = rule;
            by = account.sourceId;
            break;
          }
        }
      }
    }
    if (best) result.push({ workspaceId: workspace.id, role: best.role, sourceId: by as string, rule: best.text });
  }
  return result;
}
