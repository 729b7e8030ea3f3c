import { z } from 'zod';
import type { SkippedEntry, SourceEmail, SourceGroup, SourceUser } from '../../src/connector/connector.js';

const googleUser = z
  .object({
    id: z.string().min(1),
    primaryEmail: z.string().min(1),
    name: z.object({ givenName: z.string().nullish(), familyName: z.string().nullish(), fullName: z.string().nullish() }).passthrough().optional(),
    suspended: z.boolean().optional(),
    archived: z.boolean().optional(),
    isAdmin: z.boolean().optional(),
    orgUnitPath: z.string().optional(),
    emails: z.array(z.object({ address: z.string(), primary: z.boolean().optional(), type: z.string().optional() }).passthrough()).optional(),
    organizations: z
      .array(
        z
          .object({
            name: z.string().optional(),
            title: z.string().optional(),
            department: z.string().optional(),
            costCenter: z.string().optional(),
            description: z.string().optional(),
            location: z.string().optional(),
            primary: z.boolean().optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

/** One user of `/admin/directory/v1/users`. Email: `primaryEmail`; suspended or archived is inactive. */
export function mapUser(raw: unknown): { user: SourceUser } | { skipped: SkippedEntry } {
  const parsed = googleUser.safeParse(raw);
  if (!parsed.success) return { skipped: { externalId: idOf(raw), reason: 'invalid-record', detail: parsed.error.issues[0]?.message } };
  const u = parsed.data;
  const emails: SourceEmail[] = [{ value: u.primaryEmail, type: 'work', primary: true }];
  for (const e of u.emails ?? []) {
    if (e.address.toLowerCase() !== u.primaryEmail.toLowerCase()) emails.push({ value: e.address, type: e.type, primary: false });
  }
  const organization = u.organizations?.find((o) => o.primary) ?? u.organizations?.[0];
  return {
    user: {
      externalId: u.id,
      userName: u.primaryEmail,
      email: u.primaryEmail,
      emails,
      givenName: u.name?.givenName ?? null,
      familyName: u.name?.familyName ?? null,
      displayName: u.name?.fullName ?? null,
      company: organization?.name ?? null,
      active: u.suspended !== true && u.archived !== true,
      attributes: {
        orgUnitPath: u.orgUnitPath ?? null,
        department: organization?.department ?? null,
        // What rules read by default (`domain/source-attribute-views.ts`): department, title, costCenter, description ("Employee type").
        organization: organization
          ? { costCenter: organization.costCenter ?? null, department: organization.department ?? null, description: organization.description ?? null, location: organization.location ?? null, name: organization.name ?? null, title: organization.title ?? null }
          : null,
        isAdmin: u.isAdmin ?? false,
        suspended: u.suspended ?? false,
        archived: u.archived ?? false,
      },
    },
  };
}

const googleGroup = z.object({ id: z.string().min(1), email: z.string().min(1), name: z.string().optional() }).passthrough();

/** One group of `/admin/directory/v1/groups`, before its members are read; its e-mail is an alias. */
export function mapGroup(raw: unknown): { group: Omit<SourceGroup, 'memberExternalIds'> } | { skipped: SkippedEntry } {
  const parsed = googleGroup.safeParse(raw);
  if (!parsed.success) return { skipped: { externalId: idOf(raw), reason: 'invalid-record', detail: parsed.error.issues[0]?.message } };
  const g = parsed.data;
  return { group: { externalId: g.id, displayName: g.name || g.email, aliases: [g.email] } };
}

const member = z.object({ id: z.string().min(1), type: z.string().optional() }).passthrough();

/** Direct members by kind; `CUSTOMER` ("everyone in the domain") and unreadable entries are dropped. */
export function splitMembers(items: unknown[]): { users: string[]; groups: string[] } {
  const users: string[] = [];
  const groups: string[] = [];
  for (const raw of items) {
    const m = member.safeParse(raw);
    if (!m.success) continue;
    if (m.data.type === 'USER' || m.data.type === undefined) users.push(m.data.id);
    else if (m.data.type === 'GROUP') groups.push(m.data.id);
  }
  return { users, groups };
}

function idOf(raw: unknown): string | undefined {
  return typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
}
