import type { GrantRow } from '../granted/grants.js';
import type { Queryable } from '../db.js';

/**
 * The grant log: the audit rows and outbox events of changes to grants. Every writer of grants —
 * admin operations, lifecycle sweeps and the reconciler — logs through this module, and PostgreSQL
 * builds the documents from the same SQL expressions for all of them, so an event's payload (a
 * contract with outside consumers) has one shape whoever wrote it.
 */

/** A grant's state as audit rows and events report it. */
export interface GrantState {
  role: string;
  status: string;
  origin: string;
  sourceId: string | null;
  rule: string | null;
  validUntil: Date | null;
}

export function grantState(g: Pick<GrantRow, 'role' | 'status' | 'origin' | 'source_id' | 'rule' | 'valid_until'>): GrantState {
  return { role: g.role, status: g.status, origin: g.origin, sourceId: g.source_id, rule: g.rule, validUntil: g.valid_until };
}

/**
 * The SQL expression of a grant state (audit `before`/`after`) from columns named `<prefix>role`,
 * `<prefix>status`, `<prefix>source_id`, `<prefix>rule` and `<prefix>valid_until` (ISO text, so that
 * the document carries it as `Date#toJSON` writes it), and `origin`, an SQL expression.
 */
export function grantStateSql(prefix: string, origin: string): string {
  return `jsonb_build_object('role', ${prefix}role, 'status', ${prefix}status, 'origin', ${origin}, 'sourceId', ${prefix}source_id, 'rule', ${prefix}rule, 'validUntil', ${prefix}valid_until)`;
}

/**
 * The SQL expression of a membership event's payload from the columns `id` (the membership),
 * `workspace_id`, `role`, `status`, `valid_until` (ISO text), `person_id`, `email` (lower-cased) of
 * the grant after the change, and `origin`, an SQL expression. Writers append their extra fields
 * (`previousRole`, `previousStatus`) with `||`.
 */
export function membershipEventSql(origin: string): string {
  return `jsonb_build_object('membershipId', id, 'workspaceId', workspace_id, 'role', role, 'status', status, 'validUntil', valid_until,
                          'personId', person_id, 'email', email, 'origin', ${origin})`;
}

/** One change to granted state: an audit row, and an outbox event unless `event` is null. */
export interface GrantChangeLog {
  actor: string;
  cause: string;
  action: string;
  person: { id: string; email: string };
  workspaceId: string;
  membershipId: string;
  before: GrantState | null;
  after: GrantState;
  /** The outbox event type (membership.*), or null for a change without an event. */
  event: string | null;
  /** Extra event payload fields (previousRole, previousStatus…). */
  extra?: Record<string, unknown>;
}

const LOG_SQL = `
with c as (
  select * from jsonb_to_recordset($1::jsonb)
    as c(actor text, action text, cause text, event text, extra jsonb, id uuid, person_id uuid, email text, workspace_id text,
         origin text, role text, status text, source_id text, rule text, valid_until text,
         has_before boolean, prev_origin text, prev_role text, prev_status text, prev_source_id text, prev_rule text, prev_valid_until text)
),
audited as (
  insert into audit_log (actor, action, person_id, workspace_id, before, after, cause)
  select actor, action, person_id, workspace_id,
         case when has_before then ${grantStateSql('prev_', 'prev_origin')} end,
         ${grantStateSql('', 'origin')},
         cause
    from c
)
insert into outbox (type, person_id, workspace_id, payload)
select event, person_id, workspace_id, ${membershipEventSql('origin')} || coalesce(extra, '{}'::jsonb)
  from c where event is not null`;

/** Writes audit and outbox rows for a batch of grant changes in one statement, in the caller's transaction. */
export async function logGrantChanges(tx: Queryable, changes: readonly GrantChangeLog[]): Promise<void> {
  if (changes.length === 0) return;
  const rows = changes.map((c) => ({
    actor: c.actor,
    action: c.action,
    cause: c.cause,
    event: c.event,
    extra: c.extra ?? null,
    id: c.membershipId,
    person_id: c.person.id,
    email: c.person.email.toLowerCase(),
    workspace_id: c.workspaceId,
    origin: c.after.origin,
    role: c.after.role,
    status: c.after.status,
    source_id: c.after.sourceId,
    rule: c.after.rule,
    valid_until: c.after.validUntil,
    has_before: c.before !== null,
    prev_origin: c.before?.origin ?? null,
    prev_role: c.before?.role ?? null,
    prev_status: c.before?.status ?? null,
    prev_source_id: c.before?.sourceId ?? null,
    prev_rule: c.before?.rule ?? null,
    prev_valid_until: c.before?.validUntil ?? null,
  }));
  await tx.query(LOG_SQL, [JSON.stringify(rows)]);
}
