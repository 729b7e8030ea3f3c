import type { GroupRecord, UserRecord } from '../ingest/records.js';
import type { SourceGroup, SourceUser } from './connector.js';
import { recordId } from './record-ids.js';

export function toUserRecord(sourceId: string, user: SourceUser): UserRecord {
  return {
    id: recordId(sourceId, 'user', user.externalId),
    externalId: user.externalId,
    userName: user.userName,
    email: user.email,
    emails: user.emails ?? (user.email ? [{ value: user.email, type: 'work', primary: true }] : []),
    givenName: user.givenName ?? null,
    familyName: user.familyName ?? null,
    displayName: user.displayName ?? null,
    company: user.company ?? null,
    active: user.active,
    attributes: user.attributes ?? {},
  };
}

export function toGroupRecord(sourceId: string, group: SourceGroup): GroupRecord {
  return {
    id: recordId(sourceId, 'group', group.externalId),
    externalId: group.externalId,
    displayName: group.displayName,
    aliases: group.aliases ?? [],
    attributes: {},
    memberIds: group.memberExternalIds?.map((e) => recordId(sourceId, 'user', e)),
  };
}
