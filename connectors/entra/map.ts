import { z } from 'zod';
import type { SkippedEntry, SourceUser } from '../../src/sync/connector.js';

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
  'userType',
] as const;

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
    userType: z.string().nullish(),
  })
  .passthrough();

export type UserEntry = { kind: 'user'; user: SourceUser } | { kind: 'removed'; id: string } | { kind: 'skipped'; skipped: SkippedEntry };

/** One element of a `/users/delta` page. Email: `mail`, else `userPrincipalName`. */
export function mapUser(raw: unknown): UserEntry {
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
      },
    },
  };
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
