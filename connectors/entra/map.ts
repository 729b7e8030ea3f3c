import { z } from 'zod';
import type { SkippedEntry, SourceUser, SourceUserPatch } from '../../src/connector/connector.js';

/** The user properties asked for with `$select` (what `mapUser` reads). */
export const USER_SELECT = [
  'id',
  'userPrincipalName',
  'mail',
  'displayName',
  'givenName',
  'surname',
  'accountEnabled',
  'companyName',
  'jobTitle',
  'department',
  'employeeType',
  'userType',
] as const;

/**
 * The `$select` of user reads: what `mapUser` reads, then the Graph properties a source's
 * `attributes:` maps for rules (`officeLocation`, `onPremisesExtensionAttributes`), each once.
 */
export function userSelect(extra: readonly string[]): string {
  const known = new Set(USER_SELECT.map((p) => p.toLowerCase()));
  return [...USER_SELECT, ...extra.filter((p) => !known.has(p.toLowerCase()))].join(',');
}

const removed = z.object({ reason: z.string().optional() }).passthrough();

const graphUser = z
  .object({
    id: z.string().min(1),
    '@removed': removed.optional(),
    userPrincipalName: z.string().nullish(),
    mail: z.string().nullish(),
    displayName: z.string().nullish(),
    givenName: z.string().nullish(),
    surname: z.string().nullish(),
    accountEnabled: z.boolean().nullish(),
    companyName: z.string().nullish(),
    jobTitle: z.string().nullish(),
    department: z.string().nullish(),
    employeeType: z.string().nullish(),
    userType: z.string().nullish(),
  })
  .passthrough();

export type UserEntry = { kind: 'user'; user: SourceUser } | { kind: 'removed'; id: string } | { kind: 'skipped'; skipped: SkippedEntry };

/**
 * One element of a `/users/delta` page. Email: `mail`, else `userPrincipalName`. The `extra`
 * properties (`userSelect`) are kept in `attributes` as Graph sent them.
 */
export function mapUser(raw: unknown, extra: readonly string[] = []): UserEntry {
  const parsed = graphUser.safeParse(raw);
  if (!parsed.success) return { kind: 'skipped', skipped: { externalId: idOf(raw), reason: 'invalid-record', detail: parsed.error.issues[0]?.message } };
  const u = parsed.data;
  if (u['@removed']) return { kind: 'removed', id: u.id };
  if (!u.userPrincipalName) return { kind: 'skipped', skipped: { externalId: u.id, reason: 'no-user-name' } };
  const email = u.mail || u.userPrincipalName;
  return {
    kind: 'user',
    user: {
      externalId: u.id,
      userName: u.userPrincipalName,
      email,
      emails: [{ value: email, type: 'work', primary: true }],
      givenName: u.givenName ?? null,
      familyName: u.surname ?? null,
      displayName: u.displayName ?? null,
      company: u.companyName ?? null,
      active: u.accountEnabled !== false,
      attributes: {
        userPrincipalName: u.userPrincipalName,
        userType: u.userType ?? null,
        jobTitle: u.jobTitle ?? null,
        department: u.department ?? null,
        employeeType: u.employeeType ?? null,
        ...extraProperties(u, extra),
      },
    },
  };
}

/** The extra properties the record carries, `null` for one it sends as null. */
function extraProperties(u: Record<string, unknown>, extra: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const property of extra) if (property in u && !(property in out)) out[property] = u[property] ?? null;
  return out;
}

export type UserChange =
  | UserEntry
  | { kind: 'patch'; patch: SourceUserPatch }
  /** Changes `mail` or `userPrincipalName` without the other, which the address also depends on: read the user whole. */
  | { kind: 'read'; id: string };

/**
 * One element of a `/users/delta` page of a delta round. Graph sends an updated user as its id
 * "with at least the properties that have been updated" (a disabled user is
 * `{"id", "accountEnabled": false}`): a record with every selected property maps as in a full
 * listing; any other becomes a patch of exactly the properties it carries (`null` clears one).
 * The address is `mail`, else `userPrincipalName`, so a patch carries it only when the record
 * says it: with a non-empty `mail`, or with both properties; with one of them alone it cannot,
 * and the user is read whole (`read`).
 */
export function mapUserChange(raw: unknown, extra: readonly string[] = []): UserChange {
  const parsed = graphUser.safeParse(raw);
  if (!parsed.success || parsed.data['@removed'] || (USER_SELECT.every((p) => p in parsed.data) && extra.every((p) => p in parsed.data))) return mapUser(raw, extra);
  const u = parsed.data;
  const has = (property: (typeof USER_SELECT)[number]) => property in u;
  if (has('userPrincipalName') && !u.userPrincipalName) return { kind: 'skipped', skipped: { externalId: u.id, reason: 'no-user-name' } };
  const patch: SourceUserPatch = { externalId: u.id };
  const attributes: Record<string, unknown> = {};
  if (has('userPrincipalName')) {
    patch.userName = u.userPrincipalName as string;
    attributes['userPrincipalName'] = u.userPrincipalName;
  }
  if (u.mail || (has('mail') && has('userPrincipalName'))) {
    const email = (u.mail || u.userPrincipalName) as string;
    patch.email = email;
    patch.emails = [{ value: email, type: 'work', primary: true }];
  } else if (has('mail') || has('userPrincipalName')) {
    return { kind: 'read', id: u.id };
  }
  if (has('givenName')) patch.givenName = u.givenName ?? null;
  if (has('surname')) patch.familyName = u.surname ?? null;
  if (has('displayName')) patch.displayName = u.displayName ?? null;
  if (has('companyName')) patch.company = u.companyName ?? null;
  if (has('accountEnabled')) patch.active = u.accountEnabled !== false;
  for (const property of ['userType', 'jobTitle', 'department', 'employeeType'] as const) if (has(property)) attributes[property] = u[property] ?? null;
  Object.assign(attributes, extraProperties(u, extra));
  if (Object.keys(attributes).length > 0) patch.attributes = attributes;
  return { kind: 'patch', patch };
}

const memberRef = z
  .object({ id: z.string().min(1), '@odata.type': z.string().optional(), '@removed': removed.optional() })
  .passthrough();

const graphGroup = z
  .object({
    id: z.string().min(1),
    '@removed': removed.optional(),
    displayName: z.string().nullish(),
    'members@delta': z.array(memberRef).optional(),
  })
  .passthrough();

export interface MemberDelta {
  id: string;
  type: 'user' | 'group';
  removed: boolean;
}

export type GroupEntry =
  | { kind: 'group'; id: string; displayName: string | undefined; members: MemberDelta[] }
  | { kind: 'removed'; id: string }
  | { kind: 'skipped'; skipped: SkippedEntry };

/**
 * One element of a `/groups/delta` page. Members other than users and groups (devices, service
 * principals, contacts) are dropped: they are no one's identity here.
 */
export function mapGroupEntry(raw: unknown): GroupEntry {
  const parsed = graphGroup.safeParse(raw);
  if (!parsed.success) return { kind: 'skipped', skipped: { externalId: idOf(raw), reason: 'invalid-record', detail: parsed.error.issues[0]?.message } };
  const g = parsed.data;
  if (g['@removed']) return { kind: 'removed', id: g.id };
  const members: MemberDelta[] = [];
  for (const m of g['members@delta'] ?? []) {
    const type = memberType(m['@odata.type']);
    if (type) members.push({ id: m.id, type, removed: m['@removed'] !== undefined });
  }
  return { kind: 'group', id: g.id, displayName: g.displayName ?? undefined, members };
}

/** `#microsoft.graph.user` → `user`; a missing type is a user (Graph omits it on some removals). */
function memberType(odataType: string | undefined): 'user' | 'group' | undefined {
  if (odataType === undefined || odataType === '#microsoft.graph.user') return 'user';
  if (odataType === '#microsoft.graph.group') return 'group';
  return undefined;
}

function idOf(raw: unknown): string | undefined {
  return typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
}
