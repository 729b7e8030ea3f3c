import type { Queryable } from '../db.js';
import { grantStateSql, membershipEventSql } from '../events/grant-log.js';

/**
 * A batch of changes to `rules` grants as column arrays, one entry per change (see
 * `reconcile/write-grant-changes.ts`). `action` is the audit action and event type, null for a change
 * that is not reported (retarget); the `prev*` columns are the grant before the change (null for a
 * new grant). Timestamps travel as ISO text so that the documents carry them exactly as `Date#toJSON`
 * writes them (`…Z`), as the grant log does for every other writer.
 */
export interface RuleGrantChangeColumns {
  kind: ReadonlyArray<'grant' | 'reactivate' | 'change-role' | 'retarget' | 'suspend'>;
  action: ReadonlyArray<string | null>;
  id: readonly string[];
  person: readonly string[];
  email: readonly string[];
  workspace: readonly string[];
  actor: readonly string[];
  cause: readonly string[];
  role: readonly string[];
  status: readonly string[];
  source: ReadonlyArray<string | null>;
  rule: ReadonlyArray<string | null>;
  validUntil: ReadonlyArray<string | null>;
  prevRole: ReadonlyArray<string | null>;
  prevStatus: ReadonlyArray<string | null>;
  prevSource: ReadonlyArray<string | null>;
  prevRule: ReadonlyArray<string | null>;
  prevValidUntil: ReadonlyArray<string | null>;
}

/**
 * Writes the memberships, audit rows and outbox events of a batch of rule-grant changes in one
 * statement; new grants are valid from `now`. Each value is sent once, as a typed array: cheaper
 * for both sides than JSON documents per change (docs/benchmarks.md).
 */
export async function writeRuleGrantChanges(tx: Queryable, c: RuleGrantChangeColumns, now: Date): Promise<void> {
  if (c.kind.length === 0) return;
  await tx.query(WRITE_SQL, [
    c.kind, c.action, c.id, c.person, c.email, c.workspace, c.actor, c.cause,
    c.role, c.status, c.source, c.rule, c.validUntil,
    c.prevRole, c.prevStatus, c.prevSource, c.prevRule, c.prevValidUntil, now,
  ]);
}

const WRITE_SQL = `
with c as (
  select * from unnest($1::text[], $2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
                       $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
                       $14::text[], $15::text[], $16::text[], $17::text[], $18::text[])
    as c(kind, action, id, person_id, email, workspace_id, actor, cause, role, status, source_id, rule, valid_until,
         prev_role, prev_status, prev_source_id, prev_rule, prev_valid_until)
),
granted as (
  insert into memberships (id, person_id, workspace_id, origin, role, status, source_id, rule, valid_from, valid_until, granted_by)
  select id, person_id, workspace_id, 'rules', role, status, source_id, rule, $19::timestamptz, valid_until::timestamptz, actor
    from c where kind = 'grant'
),
changed as (
  update memberships m
     set role = c.role, status = c.status, source_id = c.source_id, rule = c.rule, valid_until = c.valid_until::timestamptz,
         suspended_at = case c.kind when 'suspend' then now() when 'reactivate' then null else m.suspended_at end,
         version = m.version + 1, updated_at = now()
    from c where c.kind <> 'grant' and m.id = c.id
),
audited as (
  insert into audit_log (actor, action, person_id, workspace_id, before, after, cause)
  select actor, action, person_id, workspace_id,
         case when kind = 'grant' then null else ${grantStateSql('prev_', `'rules'`)} end,
         ${grantStateSql('', `'rules'`)},
         cause
    from c where action is not null
)
insert into outbox (type, person_id, workspace_id, payload)
select action, person_id, workspace_id,
       ${membershipEventSql(`'rules'`)}
         || case kind when 'reactivate' then jsonb_build_object('previousStatus', prev_status)
                      when 'change-role' then jsonb_build_object('previousRole', prev_role)
                      else '{}'::jsonb end
  from c where action is not null`;
