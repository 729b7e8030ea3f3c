import { groupsOfUser, person } from '../shared/people.js';

export interface GoogleUser {
  id: string;
  primaryEmail: string;
  name: { givenName: string; familyName: string; fullName: string };
  suspended: boolean;
  archived: boolean;
  isAdmin: boolean;
  orgUnitPath: string;
  organizations?: { name: string; department?: string; primary?: boolean }[];
  creationTime: string;
}

export type MemberType = 'USER' | 'GROUP' | 'CUSTOMER';

export interface GoogleGroup {
  id: string;
  email: string;
  name: string;
  description: string;
  /** member id → type (CUSTOMER: "everyone in the domain", which carries the customer id) */
  members: Map<string, MemberType>;
}

export function googleUserId(index: number): string {
  return `1${String(index).padStart(20, '0')}`;
}

export function googleGroupId(index: number): string {
  return `0${index.toString(16).padStart(14, '0')}`;
}

export interface GoogleDatasetOptions {
  /** Default 100. */
  users?: number | undefined;
  /** Default 10; user i belongs to two (see `groupsOfUser`). */
  groups?: number | undefined;
  /** Every tenth group contains the next; group 1 contains group 0 (a cycle). Default true. */
  nested?: boolean | undefined;
  domain?: string | undefined;
}

/** A Workspace customer's users and groups. */
export class GoogleDirectory {
  readonly users = new Map<string, GoogleUser>();
  readonly groups = new Map<string, GoogleGroup>();
  readonly domain: string;

  constructor(options: GoogleDatasetOptions = {}) {
    this.domain = options.domain ?? 'example.com';
    const userCount = options.users ?? 100;
    const groupCount = options.groups ?? 10;
    const groups: GoogleGroup[] = [];
    for (let j = 0; j < groupCount; j++) {
      const group: GoogleGroup = { id: googleGroupId(j), email: `group${j}@${this.domain}`, name: `Group ${j}`, description: '', members: new Map() };
      groups.push(group);
      this.groups.set(group.id, group);
    }
    for (let i = 0; i < userCount; i++) {
      const user = generatedUser(i, this.domain);
      this.users.set(user.id, user);
      for (const j of groupsOfUser(i, groupCount)) (groups[j] as GoogleGroup).members.set(user.id, 'USER');
    }
    if (options.nested ?? true) {
      for (let j = 0; j + 1 < groupCount; j += 10) (groups[j] as GoogleGroup).members.set((groups[j + 1] as GoogleGroup).id, 'GROUP');
      if (groupCount > 2) (groups[1] as GoogleGroup).members.set((groups[0] as GoogleGroup).id, 'GROUP');
      if (groupCount > 3) (groups[3] as GoogleGroup).members.set('C0fakecust', 'CUSTOMER');
    }
  }

  /** User ids under a group, nested groups resolved (each visited once). */
  transitiveUserIds(groupId: string): Set<string> {
    const out = new Set<string>();
    const seen = new Set([groupId]);
    const queue = [groupId];
    while (queue.length > 0) {
      for (const [id, type] of this.groups.get(queue.pop() as string)?.members ?? []) {
        if (type === 'USER') out.add(id);
        else if (type === 'GROUP' && !seen.has(id)) {
          seen.add(id);
          queue.push(id);
        }
      }
    }
    return out;
  }
}

/** User i: every 97th suspended, every 89th archived, every 50th without an organization. */
export function generatedUser(i: number, domain: string): GoogleUser {
  const p = person(i);
  const user: GoogleUser = {
    id: googleUserId(i),
    primaryEmail: `${p.handle}@${domain}`,
    name: { givenName: p.givenName, familyName: p.familyName, fullName: `${p.givenName} ${p.familyName}` },
    suspended: i % 97 === 96,
    archived: i % 89 === 88,
    isAdmin: i === 0,
    orgUnitPath: i % 2 === 0 ? '/' : '/Engineering',
    creationTime: '2024-01-01T00:00:00.000Z',
  };
  if (i % 50 !== 0) user.organizations = [{ name: 'Example Ltd', department: `Dept ${i % 10}`, primary: true }];
  return user;
}
