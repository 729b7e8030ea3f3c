import { emailKey } from '../domain/email.js';
import type { GroupByExternalIdRow, UserByExternalIdRow } from '../store/observed/by-external-id.js';
import type { SkippedEntry, SourceGroup, SourceGroupPatch, SourceUser, SourceUserPatch } from '../connector/connector.js';

/** A partial record merged onto observed state: the whole record, or why it cannot be one. */
export type Merged<T> = { record: T } | { skipped: SkippedEntry };

/**
 * Why a partial record was left out: it names a user or group that observed state does not hold
 * (new to this run, or skipped by an earlier one) and lacks what it takes to create it. The next
 * full run lists it whole.
 */
export const PARTIAL_NOT_OBSERVED = 'partial-not-observed';

/** What a partial user must carry to be created when observed state does not hold it. */
const TO_CREATE_USER = ['userName', 'email', 'active'] as const;

/**
 * The user a partial delta record describes: `patch` over `observed` (absent fields keep the
 * observed value, `null` clears, attributes merge key by key). A new `email` sent without `emails`
 * replaces the observed `emails` too, with the list `userContent` derives from the address.
 * Without an observed user, the patch must carry `userName`, `email` and `active` (the rest is
 * then empty): access is never granted on a guessed `active`.
 */
export function mergeUserPatch(observed: SourceUser | undefined, patch: SourceUserPatch): Merged<SourceUser> {
  let base = observed;
  if (!base) {
    const missing = TO_CREATE_USER.filter((field) => patch[field] === undefined);
    if (missing.length > 0) return { skipped: notObserved(patch.externalId, 'user', missing) };
    base = { externalId: patch.externalId, userName: '', email: null, active: false, attributes: {} };
  }
  const user: SourceUser = { ...base };
  for (const key of Object.keys(patch) as Array<keyof SourceUserPatch>) {
    const value = patch[key];
    if (value === undefined || key === 'externalId' || key === 'attributes') continue;
    (user as unknown as Record<string, unknown>)[key] = value;
  }
  if (patch.attributes !== undefined) user.attributes = { ...base.attributes, ...patch.attributes };
  if (patch.email !== undefined && patch.emails === undefined) user.emails = undefined;
  return { record: user };
}

/**
 * The group a partial delta record describes: `patch` over `observed` (observed state, or the group
 * as this run read it already); without an observed group it needs a `displayName`.
 */
export function mergeGroupPatch(observed: SourceGroup | undefined, patch: SourceGroupPatch): Merged<SourceGroup> {
  if (!observed && patch.displayName === undefined) return { skipped: notObserved(patch.externalId, 'group', ['displayName']) };
  const group: SourceGroup = { externalId: patch.externalId, displayName: patch.displayName ?? (observed?.displayName as string) };
  const aliases = patch.aliases ?? observed?.aliases;
  if (aliases !== undefined) group.aliases = aliases;
  // Observed groups come without members, so `undefined` leaves the stored member list as it is;
  // a group this delta run read already keeps the member list it was read with.
  const members = patch.memberExternalIds ?? observed?.memberExternalIds;
  if (members !== undefined) group.memberExternalIds = members;
  return { record: group };
}

/**
 * An observed user as the connector had given it. Ingest stores the primary address lower-cased
 * (the correlation key); the address as given is the entry of `emails` with that key, so an
 * unchanged user merges to the same content hash it was stored with.
 */
export function observedUser(row: UserByExternalIdRow): SourceUser {
  const emails = row.emails.map((e) => ({ ...e }));
  const key = row.email;
  const given = key === null ? undefined : (emails.find((e) => e.primary === true && emailKey(e.value) === key) ?? emails.find((e) => emailKey(e.value) === key));
  return {
    externalId: row.external_id,
    userName: row.user_name,
    email: given?.value ?? key,
    emails,
    givenName: row.given_name,
    familyName: row.family_name,
    displayName: row.display_name,
    company: row.company,
    active: row.active,
    attributes: row.attributes,
  };
}

export function observedGroup(row: GroupByExternalIdRow): SourceGroup {
  return { externalId: row.external_id, displayName: row.display_name, aliases: row.aliases };
}

function notObserved(externalId: string, kind: 'user' | 'group', missing: readonly string[]): SkippedEntry {
  return {
    externalId,
    reason: PARTIAL_NOT_OBSERVED,
    detail: `a partial ${kind} record for a ${kind} not in observed state, without ${missing.join(', ')}; the next full run lists it whole`,
  };
}
