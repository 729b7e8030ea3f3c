import { createHash } from 'node:crypto';
import type { GroupRecord, UserRecord } from '../../src/ingest/records.js';

/** A deterministic uuid from a name, so tests can refer to records by name. */
export function uuidFor(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function user(sourceId: string, n: number | string, overrides: Partial<UserRecord> = {}): UserRecord {
  const name = typeof n === 'number' ? `user${n}` : n;
  const email = overrides.email ?? `${name}@example.com`;
  return {
    id: uuidFor(`${sourceId}/user/${name}`),
    externalId: `ext-${name}`,
    userName: email,
    email,
    emails: [{ value: email, type: 'work', primary: true }],
    givenName: `Given${name}`,
    familyName: `Family${name}`,
    displayName: `User ${name}`,
    company: null,
    active: true,
    attributes: {},
    ...overrides,
  };
}

export function group(sourceId: string, name: string, memberIds: string[] | undefined, overrides: Partial<GroupRecord> = {}): GroupRecord {
  return {
    id: uuidFor(`${sourceId}/group/${name}`),
    externalId: `ext-${name}`,
    displayName: name,
    aliases: [],
    attributes: {},
    memberIds,
    ...overrides,
  };
}
