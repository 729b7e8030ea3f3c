import type { GroupRecord, UserRecord } from '../ingest/records.js';
import type { SourceGroup, SourceUser } from '../connector/connector.js';
import { recordId } from './record-ids.js';

/** What observed state keeps of a user, apart from its id. */
export type UserContent = Omit<UserRecord, 'id'>;

/**
 * The user's content, without its id: a sync compares most users by external id and content
 * hash, and derives the id (`withUserId`) only for those it writes.
 */
export function userContent(user: SourceUser): UserContent {
  return {
    externalId: user.externalId,
    userName: user.userName,
    email: user.email,
    emails: user.emails ?? (user.email ? [{ primary: true, type: 'work', value: user.email }] : []),
    givenName: user.givenName ?? null,
    familyName: user.familyName ?? null,
    displayName: user.displayName ?? null,
    company: user.company ?? null,
    active: user.active,
    attributes: user.attributes ?? {},
  };
}

export function withUserId(sourceId: string, content: UserContent): UserRecord {
  return { id: recordId(sourceId, 'user', content.externalId as string), ...content };
}

/**
 * The group, its members left out (`memberIds` undefined): a sync compares the member list by
 * `membersHash` over external ids first, and derives a record id per member (`withMembers`) only
 * for a group whose list it must compare row by row or write.
 */
export function toGroupRecord(sourceId: string, group: SourceGroup): GroupRecord {
  return {
    id: recordId(sourceId, 'group', group.externalId),
    externalId: group.externalId,
    displayName: group.displayName,
    aliases: group.aliases ?? [],
    attributes: {},
  };
}

/** The group with its member list: record ids, and `hash`, the `membersHash` of the external ids. */
export function withMembers(sourceId: string, record: GroupRecord, memberExternalIds: readonly string[], hash: string): GroupRecord {
  return { ...record, memberIds: memberExternalIds.map((e) => recordId(sourceId, 'user', e)), membersHash: hash };
}
