import { emailKey, isInternalEmail } from '../domain/email.js';
import type { Queryable } from '../store/db.js';
import { countOtherAdmins, type GrantRow } from '../store/granted/grants.js';
import { activeEffectiveMembershipIds, listMembers, type MemberView } from '../store/granted/members.js';
import { ensurePerson, lockPerson as lockPersonRow, type PersonSummaryRow } from '../store/people/people.js';
import { lockLiveWorkspace, type WorkspaceRow } from '../store/granted/workspaces.js';
import { AdminError } from './admin-error.js';
import type { AdminContext } from './context.js';

/**
 * Shared pieces of the admin operations on grants. The admin API writes only `manual` and `invite`
 * grants (and lifecycle fields of any grant); `rules` grants belong to the reconciler.
 */

/** Locks a live workspace: every change to its admins serialises on this row (last-admin guard). */
export async function lockWorkspace(tx: Queryable, workspaceId: string): Promise<WorkspaceRow> {
  const row = await lockLiveWorkspace(tx, workspaceId);
  if (!row) throw new AdminError('not_found', `workspace "${workspaceId}" not found`);
  return row;
}

/** Locks a person like the reconciler does, so that hand changes and reconciliation serialise. */
export async function lockPerson(tx: Queryable, personId: string): Promise<PersonSummaryRow> {
  const row = await lockPersonRow(tx, personId);
  if (!row) throw new AdminError('not_found', `person "${personId}" not found`);
  return row;
}

export interface NewPersonAttributes {
  givenName?: string | null | undefined;
  familyName?: string | null | undefined;
  company?: string | null | undefined;
}

/** The person with this e-mail, created when missing (kind from `organization.internalDomains`), locked. */
export async function findOrCreatePerson(tx: Queryable, email: string, internalDomains: readonly string[], attributes: NewPersonAttributes = {}): Promise<PersonSummaryRow> {
  const key = emailKey(email);
  if (!key) throw new AdminError('invalid_request', `"${email}" is not an e-mail address`);
  return ensurePerson(tx, {
    email: key,
    givenName: attributes.givenName ?? null,
    familyName: attributes.familyName ?? null,
    company: attributes.company ?? null,
    kind: isInternalEmail(key, internalDomains) ? 'internal' : 'external',
  });
}

/**
 * The grant that gives the person's effective role (the `effective_memberships` view), among their
 * `grants` in the workspace, while it is active.
 */
export async function effectiveGrant(tx: Queryable, workspaceId: string, personId: string, grants: readonly GrantRow[]): Promise<GrantRow | undefined> {
  const id = (await activeEffectiveMembershipIds(tx, workspaceId, [personId])).get(personId);
  return id === undefined ? undefined : grants.find((g) => g.id === id);
}

/** The 409 for a hand change to a membership the rules hold. */
export function ruleManaged(grant: GrantRow): AdminError {
  return new AdminError(
    'rule_managed',
    `the membership is managed by rule "${grant.rule ?? '?'}" of source "${grant.source_id ?? '?'}"; change it in the source`,
  );
}

export async function guardLastAdmin(tx: Queryable, workspaceId: string, personId: string, what: string): Promise<void> {
  if ((await countOtherAdmins(tx, workspaceId, personId)) === 0) {
    throw new AdminError('last_admin', `the last admin of workspace "${workspaceId}" cannot be ${what}`);
  }
}

/** Parses a requested validity: in the future and at most `maxExtension` from now. */
export function checkValidUntil(ctx: AdminContext, now: Date, value: unknown): Date {
  const at = typeof value === 'string' ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime())) throw new AdminError('invalid_request', 'validUntil must be an ISO-8601 timestamp');
  if (at.getTime() <= now.getTime()) throw new AdminError('invalid_request', 'validUntil must be in the future');
  const max = new Date(now.getTime() + ctx.maxExtensionMs);
  if (at.getTime() > max.getTime()) {
    throw new AdminError('validity_too_long', `validUntil may be at most lifecycle.maxExtension from now (${max.toISOString()})`);
  }
  return at;
}

/** A new grant's validity when none is asked for: `externalValidity` for external people, none for internal. */
export function defaultValidity(ctx: AdminContext, now: Date, person: PersonSummaryRow): Date | null {
  return person.kind === 'external' ? new Date(now.getTime() + ctx.externalValidityMs) : null;
}

/** The person's effective membership as the API shows it (removed ones too). */
export async function memberView(tx: Queryable, workspaceId: string, personId: string): Promise<MemberView | undefined> {
  const active = await listMembers(tx, workspaceId, { personId, limit: 1 });
  if (active[0]) return active[0];
  return (await listMembers(tx, workspaceId, { personId, status: 'removed', limit: 1 }))[0];
}
