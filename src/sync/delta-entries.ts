import type { Queryable } from '../store/db.js';
import type { SkippedEntry, SourceGroup, SourceGroupPatch, SourceUser, SourceUserPatch } from '../connector/connector.js';
import { completeGroupPatches, completeUserPatches, type Completed } from './complete-patches.js';

/**
 * The entries a delta run has read, each in its latest state. Microsoft Graph may return the same
 * object more than once in one round (on several pages), the latest occurrence being its current
 * state: so here a later record of an entry replaces the earlier one, a later partial record
 * merges onto the entry as this run read it (not onto observed state), and a later removal drops
 * it. The run diffs and writes each entry once, in its final state, when the round has been read:
 * a user renamed on one page and disabled on another ends disabled and renamed, and nothing is
 * written twice for one id (which one `insert … on conflict do update` would refuse).
 *
 * Delta runs are small — what changed since the last run — so the entries are held in memory
 * until the round ends. Full runs, which list the whole directory, never come here.
 */
export class DeltaEntries {
  /** By external id, in the order of each entry's latest occurrence; `null`: removed. */
  readonly #users = new Map<string, SourceUser | null>();
  readonly #groups = new Map<string, SourceGroup | null>();
  /** Partial records with nothing to merge onto, until a later record of that id settles them. */
  readonly #unmergedUsers = new Map<string, SkippedEntry>();
  readonly #unmergedGroups = new Map<string, SkippedEntry>();

  addUsers(users: readonly SourceUser[]): void {
    for (const u of users) this.#setUser(u.externalId, u);
  }

  async mergeUserPatches(q: Queryable, sourceId: string, patches: readonly SourceUserPatch[]): Promise<void> {
    const merged = await completeUserPatches(q, sourceId, patches, this.#users);
    this.#settle(merged, this.#unmergedUsers, (u) => this.#setUser(u.externalId, u));
  }

  removeUsers(externalIds: readonly string[]): void {
    for (const id of externalIds) this.#setUser(id, null);
  }

  /** A later group record replaces the earlier; without a member list it keeps the one read earlier ("members unchanged"). */
  addGroups(groups: readonly SourceGroup[]): void {
    for (const g of groups) {
      const earlier = this.#groups.get(g.externalId)?.memberExternalIds;
      this.#setGroup(g.externalId, g.memberExternalIds === undefined && earlier !== undefined ? { ...g, memberExternalIds: earlier } : g);
    }
  }

  async mergeGroupPatches(q: Queryable, sourceId: string, patches: readonly SourceGroupPatch[]): Promise<void> {
    const merged = await completeGroupPatches(q, sourceId, patches, this.#groups);
    this.#settle(merged, this.#unmergedGroups, (g) => this.#setGroup(g.externalId, g));
  }

  removeGroups(externalIds: readonly string[]): void {
    for (const id of externalIds) this.#setGroup(id, null);
  }

  /** The users to write, each once, in its final state. */
  users(): SourceUser[] {
    return present(this.#users);
  }

  groups(): SourceGroup[] {
    return present(this.#groups);
  }

  /** External ids of the users whose last occurrence in the round was a removal. */
  removedUsers(): string[] {
    return removed(this.#users);
  }

  removedGroups(): string[] {
    return removed(this.#groups);
  }

  /** Partial records that nothing in the round could complete (users, then groups). */
  unmerged(): SkippedEntry[] {
    return [...this.#unmergedUsers.values(), ...this.#unmergedGroups.values()];
  }

  #setUser(id: string, user: SourceUser | null): void {
    this.#unmergedUsers.delete(id);
    latest(this.#users, id, user);
  }

  #setGroup(id: string, group: SourceGroup | null): void {
    this.#unmergedGroups.delete(id);
    latest(this.#groups, id, group);
  }

  #settle<T>(merged: Completed<T>, unmerged: Map<string, SkippedEntry>, set: (record: T) => void): void {
    for (const s of merged.skipped) if (s.externalId !== undefined) unmerged.set(s.externalId, s);
    for (const record of merged.records) set(record);
  }
}

/** Moves `id` to the end: entries are diffed in the order of their latest occurrence. */
function latest<T>(map: Map<string, T>, id: string, value: T): void {
  map.delete(id);
  map.set(id, value);
}

function present<T>(map: ReadonlyMap<string, T | null>): T[] {
  const out: T[] = [];
  for (const v of map.values()) if (v !== null) out.push(v);
  return out;
}

function removed(map: ReadonlyMap<string, unknown>): string[] {
  const out: string[] = [];
  for (const [id, v] of map) if (v === null) out.push(id);
  return out;
}
