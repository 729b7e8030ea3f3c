import { emailKey, isInternalEmail } from '../domain/email.js';
import type { Role } from '../domain/roles.js';
import type { MembershipStatus } from '../domain/membership-diff.js';
import type { Queryable } from '../store/db.js';
import { insertAudit, insertOutbox } from '../store/granted-log.js';
import { activeEffectiveMembershipIds, listMembers, type MemberView } from '../store/members.js';
import { AdminError } from './admin-error.js';
import type { AdminContext } from './context.js';

/**
 * Shared pieces of the admin operations on grants. The admin API writes only `manual` and `invite`
 * grants (and lifecycle fields of any grant); `rules` grants belong to the reconciler.
 */
export type Origin = 'rules' | 'manual' | 'invite';

export interface GrantRow {
  id: string;
  person_id: string;
  workspace_id: string;
  origin: Origin;
  role: Role;
  status: MembershipStatus;
  source_id: string | null;
  rule: string | null;
  valid_until: Date | null;
}

export interface PersonRow {
  id: string;
  email: string;
  kind: 'internal' | 'external';
  company: string | null;
}

export interface WorkspaceRow {
  id: string;
  name: string;
  origin: 'config' | 'api';
}

/** Locks a live workspace: every change to its admins serialises on this row (last-admin guard). */
export async function lockWorkspace(tx: Queryable, workspaceId: string): Promise<WorkspaceRow> {
  const r = await tx.query<WorkspaceRow>('select id, name, origin from workspaces where id = $1 and deleted_at is null for update', [workspaceId]);
  const row = r.rows[0];
  if (!row) throw new AdminError('not_found', `workspace "${workspaceId}" not found`);
  return row;
}

/** Locks a person like the reconciler does, so that hand changes and reconciliation serialise. */
export async function lockPerson(tx: Queryable, personId: string): Promise<PersonRow> {
  const r = await tx.query<PersonRow>('select id, email, kind, company from people where id = $1 for update', [personId]);
  const row = r.rows[0];
  if (!row) throw new AdminError('not_found', `person "${personId}" not found`);
  return row;
}

export interface NewPersonAttributes {
  givenName?: string | null | undefined;
  familyName?: string | null | undefined;
  company?: string | null | undefined;
}

/** The person with this e-mail, created when missing (kind from `organization.internalDomains`), locked. */
export async function findOrCreatePerson(tx: Queryable, email: string, internalDomains: readonly string[], attributes: NewPersonAttributes = {}): Promise<PersonRow> {
  const key = emailKey(email);
  if (!key) throw new AdminError('invalid_request', `"${email}" is not an e-mail address`);
  await tx.query(
    `insert into people (email, given_name, family_name, display_name, company, kind)
     values ($1, $2, $3, nullif(trim(coalesce($2, '') || ' ' || coalesce($3, '')), ''), $4, $5)
     on conflict (lower(email)) do nothing`,
    [key, attributes.givenName ?? null, attributes.familyName ?? null, attributes.company ?? null, isInternalEmail(key, internalDomains) ? 'internal' : 'external'],
  );
  const r = await tx.query<PersonRow>('select id, email, kind, company from people where lower(email) = $1 for update', [key]);
  return r.rows[0] as PersonRow;
}

export async function grantsOf(tx: Queryable, personId: string, workspaceId: string): Promise<GrantRow[]> {
  const r = await tx.query<GrantRow>(
    `select id, person_id, workspace_id, origin, role, status, source_id, rule, valid_until
       from memberships where person_id = $1 and workspace_id = $2`,
    [personId, workspaceId],
  );
  return r.rows;
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

/** People other than `personId` with an active admin grant in the workspace. */
export async function otherAdmins(tx: Queryable, workspaceId: string, personId: string): Promise<number> {
  const r = await tx.query<{ n: number }>(
    `select count(distinct person_id)::int as n from memberships
      where workspace_id = $1 and role = 'admin' and status = 'active' and person_id <> $2`,
    [workspaceId, personId],
  );
  return r.rows[0]?.n ?? 0;
}

export async function guardLastAdmin(tx: Queryable, workspaceId: string, personId: string, what: string): Promise<void> {
  if ((await otherAdmins(tx, workspaceId, personId)) === 0) {
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
export function defaultValidity(ctx: AdminContext, now: Date, person: PersonRow): Date | null {
  return person.kind === 'external' ? new Date(now.getTime() + ctx.externalValidityMs) : null;
}

/** Creates or re-activates a person's hand grant of `origin` in a workspace. */
export async function upsertHandGrant(
  tx: Queryable,
  grant: { personId: string; workspaceId: string; origin: 'manual' | 'invite'; role: Role; validUntil: Date | null; grantedBy: string; now: Date },
): Promise<string> {
  const r = await tx.query<{ id: string }>(
    `insert into memberships (person_id, workspace_id, origin, role, status, valid_from, valid_until, granted_by)
     values ($1, $2, $3, $4, 'active', $5, $6, $7)
     on conflict (person_id, workspace_id, origin) do update set
       role = excluded.role, status = 'active', valid_from = excluded.valid_from, valid_until = excluded.valid_until,
       suspended_at = null, reminded_at = null, granted_by = excluded.granted_by,
       version = memberships.version + 1, updated_at = now()
     returning id`,
    [grant.personId, grant.workspaceId, grant.origin, grant.role, grant.now, grant.validUntil, grant.grantedBy],
  );
  return (r.rows[0] as { id: string }).id;
}

export function grantState(g: Pick<GrantRow, 'role' | 'status' | 'origin' | 'source_id' | 'rule' | 'valid_until'>): Record<string, unknown> {
  return { role: g.role, status: g.status, origin: g.origin, sourceId: g.source_id, rule: g.rule, validUntil: g.valid_until };
}

/** One change to granted state: an audit row, and an outbox event unless `event` is null. */
export interface GrantChangeLog {
  actor: string;
  cause: string;
  action: string;
  person: { id: string; email: string };
  workspaceId: string;
  membershipId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** The outbox event type (membership.*), or null for a change without an event. */
  event: string | null;
  /** Extra event payload fields (previousRole, previousStatus…). */
  extra?: Record<string, unknown>;
}

/** Writes audit and outbox rows for a batch of grant changes, in the caller's transaction. */
export async function logGrantChanges(tx: Queryable, changes: readonly GrantChangeLog[]): Promise<void> {
  await insertAudit(
    tx,
    changes.map((c) => ({ actor: c.actor, action: c.action, person_id: c.person.id, workspace_id: c.workspaceId, before: c.before, after: c.after, cause: c.cause })),
  );
  await insertOutbox(
    tx,
    changes
      .filter((c) => c.event !== null)
      .map((c) => {
        const state = c.after ?? c.before ?? {};
        return {
          type: c.event,
          person_id: c.person.id,
          workspace_id: c.workspaceId,
          payload: {
            membershipId: c.membershipId,
            workspaceId: c.workspaceId,
            personId: c.person.id,
            email: c.person.email.toLowerCase(),
            origin: state['origin'],
            role: state['role'],
            status: state['status'],
            validUntil: state['validUntil'] ?? null,
            ...c.extra,
          },
        };
      }),
  );
}

/** The person's effective membership as the API shows it (removed ones too). */
export async function memberView(tx: Queryable, workspaceId: string, personId: string): Promise<MemberView | undefined> {
  const active = await listMembers(tx, workspaceId, { personId, limit: 1 });
  if (active[0]) return active[0];
  return (await listMembers(tx, workspaceId, { personId, status: 'removed', limit: 1 }))[0];
}
