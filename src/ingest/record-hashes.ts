import { contentHash } from './content-hash.js';
import type { GroupRecord, UserRecord } from './records.js';

/** The content hash of a user as observed state stores it; equal content, equal hash. */
export function userHash(u: Omit<UserRecord, 'id'>): string {
  return contentHash([u.externalId, u.userName, u.email, u.emails, u.givenName, u.familyName, u.displayName, u.company, u.active, u.attributes]);
}

/** A hash of a member list (ids, or a pulled group's external ids), order-free; stored with the group when its whole list is written. */
export function membersHash(members: readonly string[]): string {
  return contentHash([...new Set(members)].sort());
}

/** The content hash of a group (members are compared separately). */
export function groupHash(g: GroupRecord): string {
  return contentHash([g.externalId, g.displayName, g.aliases, g.attributes]);
}
