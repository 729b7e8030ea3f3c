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
interface CompiledRule {
  rank: number;
  source: string;
  text: string;
  role: Role;
  /** Built once and shared by every evidence that names the rule. */
  ref: RuleRef;
}

const GROUP = 0;
const APP_ROLE = 1;
const ATTRIBUTE = 2;
type Kind = typeof GROUP | typeof APP_ROLE | typeof ATTRIBUTE;

/**
 * One thing of an account a rule may match: its kind, its lower-cased key in that kind's index
 * (for an attribute, name and value), and what it is as observed. The `MatchedValue` is built
 * only for the match that wins.
 */
interface Candidate {
  kind: Kind;
  key: string;
  value: string;
  group: ObservedGroup | null;
  attribute: string | null;
}

/** A workspace's rules by kind, then by key, each list in rank order. */
interface RuleIndex {
  byKind: readonly [Map<string, CompiledRule[]>, Map<string, CompiledRule[]>, Map<string, CompiledRule[]>];
}

function attributeKey(attribute: string, value: string): string {
  // NUL occurs in no config or stored text, so it cannot join two keys into one.
  return `${attribute.toLowerCase()}\u0000${value.toLowerCase()}`;
}

/**
 * Each workspace's rules, indexed once by kind and key, in rank order: a reconcile job (or a
 * preview over every person) matches them against many people, and looking up a person's few
 * groups, roles and attribute values costs less than trying every rule against them.
 * Keyed by the rule set, which comes from the parsed config and is never changed in place (a new
 * config brings new objects, indexed anew).
 */
const indexed = new WeakMap<WorkspaceRules, RuleIndex>();

function compiledRules(workspace: WorkspaceRules): RuleIndex {
  let index = indexed.get(workspace);
  if (!index) {
    const byKind: RuleIndex['byKind'] = [new Map(), new Map(), new Map()];
    const add = (kind: Kind, key: string, rule: CompiledRule) => {
      const list = byKind[kind].get(key);
      // An `in` list naming a value twice is one rule, once.
      if (list?.at(-1) === rule) return;
      if (list) list.push(rule);
      else byKind[kind].set(key, [rule]);
    };
    let rank = 0;
    for (const role of ROLES) {
      workspace.roles[role].forEach((r, index) => {
        const text = ruleText(role, r);
        const rule: CompiledRule = { rank: rank++, source: r.source, text, role, ref: { role, index, source: r.source, text } };
        if ('group' in r) add(GROUP, r.group.toLowerCase(), rule);
        else if ('appRole' in r) add(APP_ROLE, r.appRole.toLowerCase(), rule);
        else for (const value of acceptedValues(r)) add(ATTRIBUTE, attributeKey(r.attribute, value), rule);
      });
    }
    index = { byKind };
    indexed.set(workspace, index);
  }
  return index;
}

/** Which kinds of rule any of these workspaces has: an account's other things need not be looked at. */
function kindsUsed(indexes: readonly RuleIndex[]): [boolean, boolean, boolean] {
  const used: [boolean, boolean, boolean] = [false, false, false];
  for (const index of indexes) for (const kind of [GROUP, APP_ROLE, ATTRIBUTE] as const) used[kind] ||= index.byKind[kind].size > 0;
  return used;
}

/** Everything of the account a rule may name, in a stable order: groups (display name, external id, aliases), app roles, attribute values. */
function candidatesOf(account: ObservedAccount, used: readonly boolean[]): Candidate[] {
  const out: Candidate[] = [];
  if (used[GROUP]) {
    for (const g of account.groups) {
      out.push({ kind: GROUP, key: g.displayName.toLowerCase(), value: g.displayName, group: g, attribute: null });
      if (g.externalId !== null) out.push({ kind: GROUP, key: g.externalId.toLowerCase(), value: g.externalId, group: g, attribute: null });
      for (const a of g.aliases) out.push({ kind: GROUP, key: a.toLowerCase(), value: a, group: g, attribute: null });
    }
  }
  if (used[APP_ROLE]) {
    for (const value of account.appRoles ?? []) out.push({ kind: APP_ROLE, key: value.toLowerCase(), value, group: null, attribute: null });
  }
  if (used[ATTRIBUTE] && account.attributes !== undefined) {
    for (const attribute in account.attributes) {
      for (const value of account.attributes[attribute] ?? []) out.push({ kind: ATTRIBUTE, key: attributeKey(attribute, value), value, group: null, attribute });
    }
  }
  return out;
}

function matchedOf(c: Candidate): MatchedValue {
  if (c.kind === GROUP) {
    const g = c.group as ObservedGroup;
    return { kind: 'group', displayName: g.displayName, externalId: g.externalId, name: c.value };
  }
  return c.kind === APP_ROLE ? { kind: 'appRole', value: c.value } : { kind: 'attribute', attribute: c.attribute as string, value: c.value };
}

interface Matchable {
  account: ObservedAccount;
  /** Built once and shared by every evidence that names the account. */
  ref: Evidence['account'];
  candidates: Candidate[];
}

function matchable(accounts: readonly ObservedAccount[], used: readonly boolean[]): Matchable[] {
  const out: Matchable[] = [];
  for (const account of accounts) {
    if (!account.active) continue;
    const candidates = candidatesOf(account, used);
    if (candidates.length > 0) out.push({ account, ref: { sourceId: account.sourceId, accountId: account.accountId, userName: account.userName }, candidates });
  }
  return out;
}

function appliesTo(rule: CompiledRule, account: ObservedAccount): boolean {
  return rule.source === '*' || rule.source === account.sourceId;
}

/**
 * The memberships the rules grant one person, from everything the sources currently say about them,
 * each with its evidence. Only active accounts count; in each workspace the highest role any rule of
 * any kind grants wins — then the first such rule in the config, then the first account (in the
 * order given) it matches, then the first group name, role or value of that account.
 * Pure: no I/O, no clock; the reconciler, the explanation of access and the rules preview all call
 * it. Evidence objects share their `account` and `rule` parts: read them, do not change them.
 */
export function desiredMemberships(accounts: readonly ObservedAccount[], workspaces: readonly WorkspaceRules[]): DesiredMembership[] {
  const indexes = workspaces.map(compiledRules);
  const active = matchable(accounts, kindsUsed(indexes));
  if (active.length === 0) return [];
  const result: DesiredMembership[] = [];
  workspaces.forEach((workspace, w) => {
    const byKind = (indexes[w] as RuleIndex).byKind;
    let best: CompiledRule | undefined;
    let by: Matchable | undefined;
    let what: Candidate | undefined;
    for (const m of active) {
      for (const c of m.candidates) {
        const rules = byKind[c.kind].get(c.key);
        if (rules === undefined) continue;
        for (const rule of rules) {
          if (best !== undefined && rule.rank >= best.rank) break;
          if (appliesTo(rule, m.account)) {
            best = rule;
            by = m;
            what = c;
            break;
          }
        }
      }
    }
    if (best && by && what) {
      result.push({ workspaceId: workspace.id, role: best.role, sourceId: by.account.sourceId, rule: best.text, evidence: { account: by.ref, rule: best.ref, matched: matchedOf(what) } });
    }
  });
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
  matchable(accounts, kindsUsed([index])).forEach((m, order) => {
    for (const c of m.candidates) {
      for (const rule of index.byKind[c.kind].get(c.key) ?? []) {
        const once = `${rule.rank}/${order}`;
        if (!appliesTo(rule, m.account) || seen.has(once)) continue;
        seen.add(once);
        found.push({ rank: rule.rank, order, evidence: { account: m.ref, rule: rule.ref, matched: matchedOf(c) } });
      }
    }
  });
  return found.sort((a, b) => a.rank - b.rank || a.order - b.order).map((f) => f.evidence);
}
