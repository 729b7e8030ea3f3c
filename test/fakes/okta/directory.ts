import { randomUUID } from 'node:crypto';
import { groupsOfUser, person } from '../shared/people.js';

export type OktaStatus = 'STAGED' | 'PROVISIONED' | 'ACTIVE' | 'RECOVERY' | 'LOCKED_OUT' | 'PASSWORD_EXPIRED' | 'SUSPENDED' | 'DEPROVISIONED';

export interface OktaUser {
  id: string;
  status: OktaStatus;
  created: number;
  lastUpdated: number;
  profile: {
    login: string;
    email: string;
    firstName: string | null;
    lastName: string | null;
    displayName?: string | null;
    organization?: string | null;
    department?: string | null;
  };
}

export interface OktaGroup {
  id: string;
  type: 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN';
  created: number;
  lastUpdated: number;
  lastMembershipUpdated: number;
  profile: { name: string; description: string | null };
  members: Set<string>;
}

/** One System Log event (`/api/v1/logs`), as Okta records a change to a user. */
export interface OktaLogEvent {
  uuid: string;
  published: number;
  eventType: string;
  displayMessage: string;
  outcome: { result: 'SUCCESS' | 'FAILURE'; reason: string | null };
  target: Array<{ id: string; type: 'User'; alternateId: string; displayName: string }>;
}

/** The System Log event types of user status changes (deleting is its own). */
const STATUS_EVENTS: Partial<Record<OktaStatus, [string, string]>> = {
  ACTIVE: ['user.lifecycle.activate', 'Activate Okta user'],
  SUSPENDED: ['user.lifecycle.suspend', 'Suspend Okta user'],
  DEPROVISIONED: ['user.lifecycle.deactivate', 'Deactivate Okta user'],
};

/** Generated objects date from 2024: any delta taken "now" sees only what tests change. */
const EPOCH = Date.parse('2024-01-01T00:00:00.000Z');

/** Okta-shaped ids (`00u…`, `00g…`, 20 characters) that sort in creation order. */
export function oktaId(prefix: '00u' | '00g', index: number): string {
  return `${prefix}${index.toString(36).padStart(13, '0')}fake`;
}

export interface OktaDatasetOptions {
  /** Default 100. */
  users?: number | undefined;
  /** Default 10; user i belongs to two (see `groupsOfUser`). */
  groups?: number | undefined;
}

/** An Okta org's users and groups with the timestamps its filters read. */
export class OktaDirectory {
  readonly users = new Map<string, OktaUser>();
  readonly groups = new Map<string, OktaGroup>();
  /** The System Log, oldest first: what the org recorded of the changes made through this class. */
  readonly log: OktaLogEvent[] = [];
  /** Bumped by every change, so the server can cache listings and JSON between changes. */
  version = 0;
  #nextUser: number;
  #nextGroup: number;

  constructor(options: OktaDatasetOptions = {}) {
    const userCount = options.users ?? 100;
    const groupCount = options.groups ?? 10;
    const groups: OktaGroup[] = [];
    for (let j = 0; j < groupCount; j++) {
      const group = newGroup(oktaId('00g', j), `Group ${j}`, EPOCH + j);
      groups.push(group);
      this.groups.set(group.id, group);
    }
    for (let i = 0; i < userCount; i++) {
      const user = generatedUser(i, EPOCH + i);
      this.users.set(user.id, user);
      for (const j of groupsOfUser(i, groupCount)) (groups[j] as OktaGroup).members.add(user.id);
    }
    this.#nextUser = userCount;
    this.#nextGroup = groupCount;
  }

  addUser(profile: Partial<OktaUser['profile']> = {}, status: OktaStatus = 'ACTIVE'): OktaUser {
    this.version++;
    const user = generatedUser(this.#nextUser++, Date.now());
    user.status = status;
    Object.assign(user.profile, profile);
    this.users.set(user.id, user);
    this.#record(user, 'user.lifecycle.create', 'Create Okta user');
    return user;
  }

  updateUser(id: string, profile: Partial<OktaUser['profile']>): OktaUser {
    this.version++;
    const user = this.#user(id);
    Object.assign(user.profile, profile);
    user.lastUpdated = Date.now();
    return user;
  }

  setStatus(id: string, status: OktaStatus): void {
    this.version++;
    const user = this.#user(id);
    user.status = status;
    user.lastUpdated = Date.now();
    const event = STATUS_EVENTS[status];
    if (event) this.#record(user, ...event);
  }

  /**
   * What an admin's "Deactivate", then "Delete" does: Okta deletes only deprovisioned users (a
   * first DELETE deactivates). The user vanishes from every list and group; only the System Log
   * still tells (`user.lifecycle.delete.initiated`).
   */
  deleteUser(id: string): void {
    const user = this.#user(id);
    if (user.status !== 'DEPROVISIONED') this.setStatus(id, 'DEPROVISIONED');
    this.version++;
    for (const group of this.groups.values()) if (group.members.delete(id)) group.lastMembershipUpdated = Date.now();
    this.users.delete(id);
    this.#record(user, 'user.lifecycle.delete.initiated', 'Delete Okta user');
  }

  #record(user: OktaUser, eventType: string, displayMessage: string): void {
    const displayName = [user.profile.firstName, user.profile.lastName].filter((s) => s).join(' ');
    this.log.push({
      uuid: randomUUID(),
      published: Date.now(),
      eventType,
      displayMessage,
      outcome: { result: 'SUCCESS', reason: null },
      target: [{ id: user.id, type: 'User', alternateId: user.profile.login, displayName }],
    });
  }

  addGroup(name: string): OktaGroup {
    this.version++;
    const group = newGroup(oktaId('00g', this.#nextGroup++), name, Date.now());
    this.groups.set(group.id, group);
    return group;
  }

  renameGroup(id: string, name: string): void {
    this.version++;
    const group = this.#group(id);
    group.profile.name = name;
    group.lastUpdated = Date.now();
  }

  deleteGroup(id: string): void {
    this.version++;
    this.groups.delete(id);
  }

  addMember(groupId: string, userId: string): void {
    this.version++;
    const group = this.#group(groupId);
    group.members.add(userId);
    group.lastMembershipUpdated = Date.now();
  }

  removeMember(groupId: string, userId: string): void {
    this.version++;
    const group = this.#group(groupId);
    group.members.delete(userId);
    group.lastMembershipUpdated = Date.now();
  }

  #user(id: string): OktaUser {
    const user = this.users.get(id);
    if (!user) throw new Error(`no user ${id}`);
    return user;
  }

  #group(id: string): OktaGroup {
    const group = this.groups.get(id);
    if (!group) throw new Error(`no group ${id}`);
    return group;
  }
}

/** User i: every 97th suspended, every 89th deprovisioned (hidden from unfiltered lists), every 61st staged. */
export function generatedUser(i: number, at: number): OktaUser {
  const p = person(i);
  const status: OktaStatus = i % 97 === 96 ? 'SUSPENDED' : i % 89 === 88 ? 'DEPROVISIONED' : i % 61 === 60 ? 'STAGED' : 'ACTIVE';
  return {
    id: oktaId('00u', i),
    status,
    created: at,
    lastUpdated: at,
    profile: {
      login: `${p.handle}@example.com`,
      email: `${p.handle}@example.com`,
      firstName: p.givenName,
      lastName: p.familyName,
      displayName: i % 2 === 0 ? `${p.givenName} ${p.familyName}` : null,
      organization: 'Example Ltd',
      department: `Dept ${i % 10}`,
    },
  };
}

function newGroup(id: string, name: string, at: number): OktaGroup {
  return { id, type: 'OKTA_GROUP', created: at, lastUpdated: at, lastMembershipUpdated: at, profile: { name, description: null }, members: new Set() };
}
