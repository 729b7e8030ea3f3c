/**
 * Group membership: member DNs and memberUids resolved to user externalIds, nested groups
 * flattened (a group's members are its transitive users), AD primary groups added.
 *
 * `UserIndex` is the one structure that grows with the directory: per user, its normal-form DN
 * and externalId (plus uid, plus the primary group on AD). See `approxBytes`.
 */
import { tryNormalizeDn, withoutOptionalUid } from './dn.js';
import type { LdapEntry } from './entry.js';
import { isGroupEntry, mapGroupEntry, SKIP_REASONS, type GroupRecord, type UserRecord } from './map.js';
import type { LdapPreset } from './presets.js';
import { readAllValues, type ReadEntry } from './range.js';
import type { SkippedEntry } from '../../src/connector/connector.js';
import { clip } from './value-problem.js';

/** A lower-case uid written the same inside a DN (`uid=<uid>`) as outside: nothing to escape. */
const PLAIN_UID = /^[a-z0-9._-]+$/;

export class UserIndex {
  readonly byDn = new Map<string, string>();
  /**
   * uid → externalId for users that are not found through `uidParents`. Most directories name
   * users `uid=<uid>,ou=people,…`: such a user is found by building that DN, which spares an
   * entry per user in a map that would hold the whole directory.
   */
  readonly byUid = new Map<string, string>();
  /** The parent DNs of users named `uid=<their uid>,<parent>` (usually one or two). */
  readonly uidParents = new Set<string>();
  /** DNs named `uid=<v>,…` whose entry's uid is not v: building that DN from v must not find them. */
  readonly namedByOtherUid = new Set<string>();
  readonly byPrimaryGroup = new Map<number, string[]>();
  /** Users that exist but were skipped (no e-mail, duplicate): members that resolve to no one. */
  readonly excluded = new Set<string>();
  #lastParent = '';

  add(record: UserRecord): void {
    const id = record.user.externalId;
    const dnKey = record.dnKey;
    this.byDn.set(dnKey, id);
    const uid = record.uid;
    if (uid !== undefined && PLAIN_UID.test(uid) && dnKey.startsWith('uid=') && dnKey.startsWith(uid, 4) && dnKey.charCodeAt(4 + uid.length) === 44 /* , */) {
      const parentLength = dnKey.length - uid.length - 5;
      // Consecutive users mostly share their parent: compare before slicing out a new string.
      if (parentLength !== this.#lastParent.length || !dnKey.endsWith(this.#lastParent)) {
        this.#lastParent = dnKey.slice(5 + uid.length);
        this.uidParents.add(this.#lastParent);
      }
    } else {
      if (uid !== undefined) this.byUid.set(uid, id);
      if (dnKey.startsWith('uid=')) this.namedByOtherUid.add(dnKey);
    }
    if (record.primaryGroupId !== undefined) {
      const list = this.byPrimaryGroup.get(record.primaryGroupId);
      if (list) list.push(id);
      else this.byPrimaryGroup.set(record.primaryGroupId, [id]);
    }
  }

  /** The externalId of the user whose (lower-case) uid is `uid`, for posixGroup `memberUid`. */
  idForUid(uid: string): string | undefined {
    const listed = this.byUid.get(uid);
    if (listed !== undefined || !PLAIN_UID.test(uid)) return listed;
    for (const parent of this.uidParents) {
      const dnKey = `uid=${uid},${parent}`;
      const id = this.byDn.get(dnKey);
      if (id !== undefined && !this.namedByOtherUid.has(dnKey)) return id;
    }
    return undefined;
  }

  exclude(dnKey: string): void {
    this.excluded.add(dnKey);
  }

  get size(): number {
    return this.byDn.size;
  }
}

/** A group with its member lists complete (ranges read) and member DNs in normal form. */
export interface GroupNode {
  /** The group without its raw member values (they are in `memberDnKeys` / `userIds`). */
  record: GroupRecord;
  /** Member DNs not (yet) resolved to users: nested groups, foreign or unknown entries. */
  memberDnKeys: string[];
  /**
   * Members already resolved to user externalIds (`GroupGraph.add`). These are the index's own
   * strings, so a membership costs a pointer instead of a DN for the rest of the run.
   */
  userIds?: string[] | undefined;
}

/**
 * Completes AD ranged member lists and normalises member DNs. Values that are not DNs are
 * reported as `invalid-member-dn` (the group is still yielded without them).
 */
export async function completeGroup(record: GroupRecord, read: ReadEntry): Promise<{ node: GroupNode; skipped: SkippedEntry[] }> {
  const memberDnKeys: string[] = [];
  const skipped: SkippedEntry[] = [];
  for (const { attribute, ranged } of record.memberDnValues) {
    const values = ranged.next === undefined ? ranged.values : await readAllValues(read, record.dn, attribute, ranged);
    const optionalUid = attribute.toLowerCase() === 'uniquemember';
    for (const value of values) {
      const key = tryNormalizeDn(optionalUid ? withoutOptionalUid(value) : value);
      if (key === undefined) {
        skipped.push({ externalId: record.externalId, reason: SKIP_REASONS.invalidMemberDn, detail: `${record.dn}: ${attribute} "${value}"` });
      } else {
        memberDnKeys.push(key);
      }
    }
  }
  return { node: { record: { ...record, memberDnValues: [] }, memberDnKeys }, skipped };
}

/**
 * The transitive users of a group. Walks nested groups depth-first with a visited set, so cycles
 * (A ⊃ B ⊃ A) terminate; users reached along several paths count once. Result sorted.
 */
export function transitiveUserIds(root: string, nodes: ReadonlyMap<string, GroupNode>, users: UserIndex): string[] {
  const out = new Set<string>();
  const visited = new Set<string>([root]);
  const stack = [root];
  while (stack.length > 0) {
    const node = nodes.get(stack.pop() as string);
    if (!node) continue;
    for (const id of node.userIds ?? []) out.add(id);
    for (const key of node.memberDnKeys) {
      const id = users.byDn.get(key);
      if (id !== undefined) out.add(id);
      else if (nodes.has(key) && !visited.has(key)) {
        visited.add(key);
        stack.push(key);
      }
    }
    for (const uid of node.record.memberUids) {
      const id = users.idForUid(uid);
      if (id !== undefined) out.add(id);
    }
    if (node.record.rid !== undefined) {
      for (const id of users.byPrimaryGroup.get(node.record.rid) ?? []) out.add(id);
    }
  }
  return [...out].sort();
}

/**
 * The groups known so far, by normal-form DN, and the member DNs known not to be groups.
 * A member DN that is neither a known user nor a known group is looked up once (base search):
 * nested groups may sit outside the group search base or in a later page.
 */
export class GroupGraph {
  readonly nodes = new Map<string, GroupNode>();
  private readonly notGroups = new Set<string>();
  /** Member DNs that name no entry (deleted, or in a naming context the source cannot read). */
  private readonly dangling = new Set<string>();

  constructor(
    private readonly preset: LdapPreset,
    private readonly users: UserIndex,
    private readonly read: ReadEntry,
    private readonly groupAttributes: string[],
  ) {}

  /** Keeps the group, with members that are known users replaced by their externalIds. */
  add(node: GroupNode): GroupNode {
    const userIds: string[] = [...(node.userIds ?? [])];
    const rest: string[] = [];
    for (const key of node.memberDnKeys) {
      const id = this.users.byDn.get(key);
      if (id !== undefined) userIds.push(id);
      else if (!this.users.excluded.has(key)) rest.push(key);
    }
    const compact = { record: node.record, memberDnKeys: rest, userIds };
    this.nodes.set(node.record.dnKey, compact);
    return compact;
  }

  /**
   * Loads every group reachable from `roots` through member DNs; returns problems found on the way,
   * among them each member DN of a root that names no entry (`dangling-member`, once per group and
   * DN). A member that exists but is neither a listed user nor a group — an account outside the
   * user search, a placeholder such as the suffix — is left out silently: the search decides that.
   */
  async loadReachable(roots: readonly GroupNode[]): Promise<SkippedEntry[]> {
    const skipped: SkippedEntry[] = [];
    const rootKeys = new Set(roots.map((r) => r.record.dnKey));
    const queue = [...roots];
    while (queue.length > 0) {
      const node = queue.pop() as GroupNode;
      const dangling = (key: string) => {
        if (!rootKeys.has(node.record.dnKey)) return;
        skipped.push({ externalId: node.record.externalId, reason: SKIP_REASONS.danglingMember, detail: `${clip(node.record.dn)}: member "${clip(key)}" names no entry` });
      };
      for (const key of node.memberDnKeys) {
        if (this.users.byDn.has(key) || this.users.excluded.has(key) || this.nodes.has(key)) continue;
        if (this.dangling.has(key)) {
          dangling(key);
          continue;
        }
        if (this.notGroups.has(key)) continue;
        const entry = await this.read(key, this.groupAttributes);
        if (!entry) {
          this.dangling.add(key);
          dangling(key);
          continue;
        }
        const child = isGroupEntry(entry, this.preset) ? await this.nodeOf(entry, skipped) : undefined;
        if (!child) {
          this.notGroups.add(key);
          continue;
        }
        const added = this.add(child);
        // Also under the spelling it was reached by, should the server name the entry differently.
        this.nodes.set(key, added);
        queue.push(added);
      }
    }
    return skipped;
  }

  private async nodeOf(entry: LdapEntry, skipped: SkippedEntry[]): Promise<GroupNode | undefined> {
    const mapped = mapGroupEntry(entry, this.preset);
    if (!mapped.ok) return undefined;
    const { node, skipped: s } = await completeGroup(mapped.record, this.read);
    skipped.push(...s);
    return node;
  }

  transitiveUserIds(root: string): string[] {
    return transitiveUserIds(root, this.nodes, this.users);
  }
}
