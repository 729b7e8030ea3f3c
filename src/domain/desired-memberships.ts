import { acceptedValues, ruleText, type RoleRule } from './role-rules.js';
import { ROLES, type Role } from './roles.js';

/** One workspace's rule set, as in config `workspaces[].roles`. */
export interface WorkspaceRules {
  id: string;
  roles: Record<Role, readonly RoleRule[]>;
}

/** A source user that backs the person, with what rules may match on (observed state). */
export interface ObservedAccount {
  sourceId: string;
  /** The account's id within its source (the SCIM id). */
  accountId: string;
  userName: string;
  active: boolean;
  groups: ReadonlyArray<ObservedGroup>;
  /** SCIM `roles[].value` pushed for the user (Entra ID app-role assignments). Default none. */
  appRoles?: readonly string[] | undefined;
  /** Attribute values by idsync name (`department`, `employeeType`, …), as the source's mapping gives them. Default none. */
  attributes?: Readonly<Record<string, readonly string[]>> | undefined;
}

export interface ObservedGroup {
  externalId: string | null;
  displayName: string;
  aliases: readonly string[];
}

/** What of the account a rule matched, as observed (its own spelling, not the rule's). */
export type MatchedValue =
  | { kind: 'group'; displayName: string; externalId: string | null; name: string }
  | { kind: 'appRole'; value: string }
  | { kind: 'attribute'; attribute: string; value: string };

/** A rule as the config holds it: its role, its position in that role's list (from 0), its text. */
export interface RuleRef {
  role: Role;
  index: number;
  source: string;
  text: string;
}

/** Why a rule applies to a person: which account, which rule, what it matched. */
export interface Evidence {
  account: { sourceId: string; accountId: string; userName: string };
  rule: RuleRef;
  matched: MatchedValue;
}

export interface DesiredMembership {
  workspaceId: string;
  role: Role;
  /** The source and rule that grant the role, e.g. `corp-ldap` and `admin: corp-ldap/cn=admins,…`. */
  sourceId: string;
  rule: string;
  /** The match behind the role: the first rule of the highest role, on the first account it matches. */
  evidence: Evidence;
}

/** A rule as matching needs it, at its rank: the role's (0 = admin) and its place in that role's list. */
interface CompiledRule extends RuleRef {
  rank: number;
}

/** One thing of an account a rule may match, by its lower-cased key (`kindKey`). */
interface Candidate {
  key: string;
  matched: MatchedValue;
}

/** The key rules and accounts meet on: the kind, then lower-cased name and value (NUL never occurs in config or stored text). */
function groupKey(name: string): string {
  return `g\u0000${name.toLowerCase()}`;
}
function appRoleKey(value: string): string {
  return `r\u0000${value.toLowerCase()}`;
}
function attributeKey(attribute: string, value: string): string {
  return `a\u0000${attribute.toLowerCase()}\u0000${value.toLowerCase()}`;
}

/**
 * Each workspace's rules, indexed once by the key of what they match, in rank order: a reconcile
 * job (or a preview over every person) matches them against many people, and looking up a person's
 * few groups, roles and attribute values costs less than trying every rule against them.
 * Keyed by the rule set, which comes from the parsed config and is never changed in place (a new
 * config brings new objects, indexed anew).
 */
const indexed = new WeakMap<WorkspaceRules, ReadonlyMap<string, readonly CompiledRule[]>>();

function compiledRules(workspace: WorkspaceRules): ReadonlyMap<string, readonly CompiledRule[]> {
  let index = indexed.get(workspace);
  if (!index) {
    const byKey = new Map<string, CompiledRule[]>();
    const add = (key: string, rule: CompiledRule) => {
      const list = byKey.get(key);
      // An `in` list naming a value twice is one rule, once.
      if (list?.at(-1) === rule) return;
      if (list) list.push(rule);
      else byKey.set(key, [rule]);
    };
    let rank = 0;
    for (const role of ROLES) {
      workspace.roles[role].forEach((r, index) => {
        const rule: CompiledRule = { role, index, source: r.source, text: ruleText(role, r), rank: rank++ };
        if ('group' in r) add(groupKey(r.group), rule);
        else if ('appRole' in r) add(appRoleKey(r.appRole), rule);
        else for (const value of acceptedValues(r)) add(attributeKey(r.attribute, value), rule);
      });
    }
    index = byKey;
    indexed.set(workspace, index);
  }
  return index;
}

/** Everything of the account a rule may name, in a stable order: groups (display name, external id, aliases), app roles, attribute values. */
function candidatesOf(account: ObservedAccount): Candidate[] {
  const out: Candidate[] = [];
  for (const g of account.groups) {
    const group = (name: string): Candidate => ({ key: groupKey(name), matched: { kind: 'group', displayName: g.displayName, externalId: g.externalId, name } });
    out.push(group(g.displayName));
    if (g.externalId !== null) out.push(group(g.externalId));
    for (const a of g.aliases) out.push(group(a));
  }
  for (const value of account.appRoles ?? []) out.push({ key: appRoleKey(value), matched: { kind: 'appRole', value } });
  for (const [attribute, values] of Object.entries(account.attributes ?? {})) {
    for (const value of values) out.push({ key: attributeKey(attribute, value), matched: { kind: 'attribute', attribute, value } });
  }
  return out;
}

interface Matchable {
  account: ObservedAccount;
  candidates: Candidate[];
}

function matchable(accounts: readonly ObservedAccount[]): Matchable[] {
  const out: Matchable[] = [];
  for (const account of accounts) {
    if (!account.active) continue;
    const candidates = candidatesOf(account);
    if (candidates.length > 0) out.push({ account, candidates });
  }
  return out;
}

function evidenceOf(account: ObservedAccount, rule: CompiledRule, matched: MatchedValue): Evidence {
  return {
    account: { sourceId: account.sourceId, accountId: account.accountId, userName: account.userName },
    rule: { role: rule.role, index: rule.index, source: rule.source, text: rule.text },
    matched,
  };
}

function appliesTo(rule: CompiledRule, account: ObservedAccount): boolean {
  return rule.source === '*' || rule.source === account.sourceId;
}

/**
 * The memberships the rules grant one person, from everything the sources currently say about them,
 * each with its evidence. Only active accounts count; in each workspace the highest role any rule of
 * any kind grants wins — then the first such rule in the config, then the first account (in the
 * order given) it matches, then the first group name, role or value of that account.
 * Pure: no I/O, no clock; the reconciler, the explanation of access and the rules preview all call it.
 */
export function desiredMemberships(accounts: readonly ObservedAccount[], workspaces: readonly WorkspaceRules[]): DesiredMembership[] {
  const active = matchable(accounts);
  if (active.length === 0) return [];
  const result: DesiredMembership[] = [];
  for (const workspace of workspaces) {
    const index = compiledRules(workspace);
    let best: CompiledRule | undefined;
    let by: Matchable | undefined;
    let what: MatchedValue | undefined;
    for (const m of active) {
      for (const c of m.candidates) {
        for (const rule of index.get(c.key) ?? []) {
          if (best !== undefined && rule.rank >= best.rank) break;
          if (appliesTo(rule, m.account)) {
            best = rule;
            by = m;
            what = c.matched;
            break;
          }
        }
      }
    }
    if (best && by && what) {
      result.push({ workspaceId: workspace.id, role: best.role, sourceId: by.account.sourceId, rule: best.text, evidence: evidenceOf(by.account, best, what) });
    }
  }
  return result;
}

/**
 * Every match of a workspace's rules on the person's active accounts, highest role and first rule
 * first (so the first is what `desiredMemberships` grants): one per rule and account, with the first
 * thing of the account it matched. For explaining access beyond the rule that wins. Pure.
 */
export function ruleMatches(accounts: readonly ObservedAccount[], workspace: WorkspaceRules): Evidence[] {
  const index = compiledRules(workspace);
  const found: Array<{ rank: number; order: number; evidence: Evidence }> = [];
  const seen = new Set<string>();
  matchable(accounts).forEach((m, order) => {
    for (const c of m.candidates) {
      for (const rule of index.get(c.key) ?? []) {
        const once = `${rule.rank}/${order}`;
        if (!appliesTo(rule, m.account) || seen.has(once)) continue;
        seen.add(once);
        found.push({ rank: rule.rank, order, evidence: evidenceOf(m.account, rule, c.matched) });
      }
    }
  });
  return found.sort((a, b) => a.rank - b.rank || a.order - b.order).map((f) => f.evidence);
}
