import { groupsOfUser, person, uuidFor } from '../shared/people.js';

export interface GraphUser {
  id: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  userPrincipalName: string;
  accountEnabled: boolean;
  companyName: string | null;
  jobTitle: string | null;
  department: string | null;
  employeeType: string | null;
  userType: 'Member' | 'Guest';
  /** Change sequence of the last write (0: generated). */
  seq: number;
}

export type MemberType = 'user' | 'group';

export interface GraphGroup {
  id: string;
  displayName: string;
  description: string | null;
  members: Map<string, MemberType>;
  seq: number;
}

interface MemberLogEntry {
  groupId: string;
  memberId: string;
  type: MemberType;
  op: 'add' | 'remove';
  seq: number;
}

/**
 * When an object was created and when each of its properties was last written: a delta after
 * `since` sends an object created after it whole, and any other as its id with the properties
 * written after it, as Graph does ("at least the properties that have been updated").
 */
interface ChangeLog {
  created: number;
  properties: Map<string, number>;
}

/** One write to a user, as it was made: the properties written and their values then (a created user: all of them). */
export interface UserWrite {
  id: string;
  seq: number;
  created: boolean;
  values: Partial<GraphUser>;
}

/** What a delta after some point sends of an object: all of it (created since), or these properties. */
export type ChangedSince = 'created' | string[];

export interface GraphDatasetOptions {
  /** Generated users. Default 100. */
  users?: number | undefined;
  /** Generated groups; user i belongs to two of them (see `groupsOfUser`). Default 10. */
  groups?: number | undefined;
  /**
   * Nest groups: every tenth group contains the next one, and group 1 contains group 0 (a cycle
   * the client must survive). Default true.
   */
  nested?: boolean | undefined;
}

/**
 * The tenant's objects with a change sequence, so any delta token (a sequence number) can be
 * answered with exactly what changed after it — creates, updates, deletions and member changes.
 */
export class GraphDirectory {
  readonly users = new Map<string, GraphUser>();
  readonly groups = new Map<string, GraphGroup>();
  readonly deletedUsers = new Map<string, number>();
  readonly deletedGroups = new Map<string, number>();
  readonly memberLog: MemberLogEntry[] = [];
  /** Every write to a user since the tenant was generated, in order (see `GraphFakeOptions.entryPerWrite`). */
  readonly userWrites: UserWrite[] = [];
  seq = 0;
  readonly #userLog = new Map<string, ChangeLog>();
  readonly #groupLog = new Map<string, ChangeLog>();
  #nextUser: number;
  #nextGroup: number;

  constructor(options: GraphDatasetOptions = {}) {
    const userCount = options.users ?? 100;
    const groupCount = options.groups ?? 10;
    const groups: GraphGroup[] = [];
    for (let j = 0; j < groupCount; j++) {
      const group: GraphGroup = { id: uuidFor(2, j), displayName: `Group ${j}`, description: null, members: new Map(), seq: 0 };
      groups.push(group);
      this.groups.set(group.id, group);
    }
    for (let i = 0; i < userCount; i++) {
      const user = generatedUser(i);
      this.users.set(user.id, user);
      for (const j of groupsOfUser(i, groupCount)) (groups[j] as GraphGroup).members.set(user.id, 'user');
    }
    if (options.nested ?? true) {
      for (let j = 0; j + 1 < groupCount; j += 10) (groups[j] as GraphGroup).members.set((groups[j + 1] as GraphGroup).id, 'group');
      if (groupCount > 2) (groups[1] as GraphGroup).members.set((groups[0] as GraphGroup).id, 'group');
    }
    this.#nextUser = userCount;
    this.#nextGroup = groupCount;
  }

  addUser(patch: Partial<Omit<GraphUser, 'id' | 'seq'>> = {}): GraphUser {
    const user = { ...generatedUser(this.#nextUser++), ...patch, seq: ++this.seq };
    this.users.set(user.id, user);
    this.#userLog.set(user.id, { created: user.seq, properties: new Map() });
    this.userWrites.push({ id: user.id, seq: user.seq, created: true, values: { ...user } });
    return user;
  }

  /** Writes the properties in `patch`: a delta sends each of them (and only them, unless the user is new). */
  updateUser(id: string, patch: Partial<Omit<GraphUser, 'id' | 'seq'>>): GraphUser {
    const user = this.#user(id);
    Object.assign(user, patch, { seq: ++this.seq });
    noteWritten(this.#userLog, id, Object.keys(patch), user.seq);
    this.userWrites.push({ id, seq: user.seq, created: false, values: { ...patch } });
    return user;
  }

  userChangedSince(id: string, since: number): ChangedSince {
    return changedSince(this.#userLog.get(id), since);
  }

  groupChangedSince(id: string, since: number): ChangedSince {
    return changedSince(this.#groupLog.get(id), since);
  }

  /** Deleting a user also takes it out of every group, as Entra does. */
  deleteUser(id: string): void {
    this.#user(id);
    for (const group of this.groups.values()) if (group.members.has(id)) this.removeMember(group.id, id);
    this.users.delete(id);
    this.deletedUsers.set(id, ++this.seq);
  }

  addGroup(displayName: string): GraphGroup {
    const group: GraphGroup = { id: uuidFor(2, this.#nextGroup++), displayName, description: null, members: new Map(), seq: ++this.seq };
    this.groups.set(group.id, group);
    this.#groupLog.set(group.id, { created: group.seq, properties: new Map() });
    return group;
  }

  renameGroup(id: string, displayName: string): void {
    this.updateGroup(id, { displayName });
  }

  updateGroup(id: string, patch: Partial<Pick<GraphGroup, 'displayName' | 'description'>>): void {
    const group = this.#group(id);
    Object.assign(group, patch);
    group.seq = ++this.seq;
    noteWritten(this.#groupLog, id, Object.keys(patch), group.seq);
  }

  deleteGroup(id: string): void {
    this.#group(id);
    this.groups.delete(id);
    this.deletedGroups.set(id, ++this.seq);
    for (const group of this.groups.values()) if (group.members.has(id)) this.removeMember(group.id, id);
  }

  addMember(groupId: string, memberId: string, type: MemberType = 'user'): void {
    this.#group(groupId).members.set(memberId, type);
    this.memberLog.push({ groupId, memberId, type, op: 'add', seq: ++this.seq });
  }

  removeMember(groupId: string, memberId: string): void {
    const group = this.#group(groupId);
    const type = group.members.get(memberId) ?? 'user';
    group.members.delete(memberId);
    this.memberLog.push({ groupId, memberId, type, op: 'remove', seq: ++this.seq });
  }

  /** The user ids under a group, nested groups resolved (cycles visited once). */
  transitiveUserIds(groupId: string): Set<string> {
    const users = new Set<string>();
    const seen = new Set<string>([groupId]);
    const queue = [groupId];
    while (queue.length > 0) {
      const group = this.groups.get(queue.shift() as string);
      if (!group) continue;
      for (const [id, type] of group.members) {
        if (type === 'user') users.add(id);
        else if (!seen.has(id)) {
          seen.add(id);
          queue.push(id);
        }
      }
    }
    return users;
  }

  /** Net member changes of each group after `since`: the last operation on a member wins. */
  memberChangesSince(since: number): Map<string, Map<string, { type: MemberType; op: 'add' | 'remove' }>> {
    const changes = new Map<string, Map<string, { type: MemberType; op: 'add' | 'remove' }>>();
    for (let k = this.memberLog.length - 1; k >= 0 && (this.memberLog[k] as MemberLogEntry).seq > since; k--) {
      const entry = this.memberLog[k] as MemberLogEntry;
      let group = changes.get(entry.groupId);
      if (!group) changes.set(entry.groupId, (group = new Map()));
      if (!group.has(entry.memberId)) group.set(entry.memberId, { type: entry.type, op: entry.op });
    }
    return changes;
  }

  #user(id: string): GraphUser {
    const user = this.users.get(id);
    if (!user) throw new Error(`no user ${id}`);
    return user;
  }

  #group(id: string): GraphGroup {
    const group = this.groups.get(id);
    if (!group) throw new Error(`no group ${id}`);
    return group;
  }
}

function noteWritten(logs: Map<string, ChangeLog>, id: string, properties: readonly string[], seq: number): void {
  let log = logs.get(id);
  if (!log) logs.set(id, (log = { created: 0, properties: new Map() }));
  for (const property of properties) log.properties.set(property, seq);
}

function changedSince(log: ChangeLog | undefined, since: number): ChangedSince {
  if (!log) return []; // generated, never written
  if (log.created > since) return 'created';
  return [...log.properties].filter(([, seq]) => seq > since).map(([property]) => property);
}

/** User i: every 50th has no `mail` (the UPN is the address), every 97th is disabled, every 200th a guest. */
export function generatedUser(i: number): GraphUser {
  const p = person(i);
  return {
    id: uuidFor(1, i),
    displayName: `${p.givenName} ${p.familyName}`,
    givenName: p.givenName,
    surname: p.familyName,
    mail: i % 50 === 0 ? null : `${p.handle}@example.com`,
    userPrincipalName: `${p.handle}@example.onmicrosoft.com`,
    accountEnabled: i % 97 !== 0,
    companyName: 'Example Ltd',
    jobTitle: i % 3 === 0 ? 'Engineer' : null,
    department: `Dept ${i % 10}`,
    employeeType: i % 4 === 3 ? 'Contractor' : 'Employee',
    userType: i % 200 === 199 ? 'Guest' : 'Member',
    seq: 0,
  };
}
