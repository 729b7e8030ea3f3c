import { z } from 'zod';
import type { SkippedEntry, SourceGroup, SourceUser } from '../../src/connector/connector.js';

/** Statuses in which the user cannot sign in. */
const INACTIVE = new Set(['SUSPENDED', 'DEPROVISIONED']);

const oktaUser = z
  .object({
    id: z.string().min(1),
    status: z.string(),
    profile: z
      .object({
        login: z.string().min(1),
        email: z.string().nullish(),
        firstName: z.string().nullish(),
        lastName: z.string().nullish(),
        displayName: z.string().nullish(),
        organization: z.string().nullish(),
        department: z.string().nullish(),
        title: z.string().nullish(),
      })
      .passthrough(),
  })
  .passthrough();

/**
 * One user of `/api/v1/users`. Email: `profile.email`; SUSPENDED and DEPROVISIONED are inactive.
 * The profile is kept whole (`domain/source-attribute-views.ts` reads rules' attributes from it).
 */
export function mapUser(raw: unknown): { user: SourceUser } | { skipped: SkippedEntry } {
  const parsed = oktaUser.safeParse(raw);
  if (!parsed.success) return { skipped: { externalId: idOf(raw), reason: 'invalid-record', detail: parsed.error.issues[0]?.message } };
  const { id, status, profile: p } = parsed.data;
  const email = p.email || null;
  const displayName = p.displayName ?? ([p.firstName, p.lastName].filter((s) => s).join(' ') || null);
  return {
    user: {
      externalId: id,
      userName: p.login,
      email,
      emails: email === null ? [] : [{ value: email, type: 'work', primary: true }],
      givenName: p.firstName ?? null,
      familyName: p.lastName ?? null,
      displayName,
      company: p.organization ?? null,
      active: !INACTIVE.has(status),
      // The whole profile: every property of it, custom ones included, is an attribute rules may match on.
      attributes: { login: p.login, profile: p, status },
    },
  };
}

const oktaGroup = z
  .object({ id: z.string().min(1), type: z.string().optional(), profile: z.object({ name: z.string().min(1) }).passthrough() })
  .passthrough();

/** One group of `/api/v1/groups`, before its members are read. */
export function mapGroup(raw: unknown): { group: Omit<SourceGroup, 'memberExternalIds'> } | { skipped: SkippedEntry } {
  const parsed = oktaGroup.safeParse(raw);
  if (!parsed.success) return { skipped: { externalId: idOf(raw), reason: 'invalid-record', detail: parsed.error.issues[0]?.message } };
  return { group: { externalId: parsed.data.id, displayName: parsed.data.profile.name } };
}

const memberRef = z.object({ id: z.string().min(1) }).passthrough();

/** The ids in a page of `/api/v1/groups/{id}/users`. */
export function memberIds(items: unknown[]): string[] {
  const out: string[] = [];
  for (const raw of items) {
    const m = memberRef.safeParse(raw);
    if (m.success) out.push(m.data.id);
  }
  return out;
}

function idOf(raw: unknown): string | undefined {
  return typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
}
