import { desiredMemberships, type ObservedAccount, type WorkspaceRules } from '../domain/desired-memberships.js';
import { isInternalEmail } from '../domain/email.js';
import { diffRuleGrants, type GrantChange, type RuleGrant } from '../domain/membership-diff.js';
import type { Role } from '../domain/roles.js';
import type { Db, Queryable } from '../store/db.js';
import type { PersonChange } from '../ingest/records.js';
import { insertAudit, insertOutbox } from '../store/granted-log.js';

export interface ReconcileContext {
  db: Db;
  workspaces: readonly WorkspaceRules[];
  internalDomains: readonly string[];
  externalValidityMs: number;
  now: () => Date;
}

export interface ReconcileResult {
  people: number;
  granted: number;
  changed: number;
  suspended: number;
}

interface AccountRow {
  source_id: string;
  id: string;
  email: string;
  active: boolean;
  given_name: string | null;
  family_name: string | null;
  display_name: string | null;
  company: string | null;
  precedence: number;
}

interface GroupRow {
  source_id: string;
  external_id: string | null;
  display_name: string;
  aliases: string[];
}

interface PersonRow {
  id: string;
  email: string;
  given_name: string | null;
  family_name: string | null;
  display_name: string | null;
  company: string | null;
  kind: 'internal' | 'external';
  status: 'active' | 'inactive';
}

interface GrantRow {
  id: string;
  person_id: string;
  workspace_id: string;
  role: Role;
  status: RuleGrant['status'];
  source_id: string | null;
  rule: string | null;
  valid_until: Date | null;
}

/**
 * Level-triggered reconciliation of a batch of people, in one transaction: recompute each person's
 * desired memberships from all current observed state, diff against their `rules` grants, and write
 * only the difference with audit and outbox rows. People rows are locked in key order, so concurrent
 * workers serialise on shared people without deadlocking, and replays converge to the same state.
 */
export async function reconcilePeople(ctx: ReconcileContext, changes: readonly PersonChange[]): Promise<ReconcileResult> {
  const causes = new Map<string, PersonChange>();
  for (const c of changes) if (!causes.has(c.key)) causes.set(c.key, c);
  const keys = [...causes.keys()].sort();
  if (keys.length === 0) return { people: 0, granted: 0, changed: 0, suspended: 0 };
  return ctx.db.transaction((tx) => reconcileInTransaction(ctx, tx, keys, causes));
}

async function reconcileInTransaction(
  ctx: ReconcileContext,
  tx: Queryable,
  keys: string[],
  causes: Map<string, PersonChange>,
): Promise<ReconcileResult> {
  const now = ctx.now();
  const accounts = (
    await tx.query<AccountRow>(
      `select su.source_id, su.id, su.email, su.active, su.given_name, su.family_name, su.display_name, su.company, s.precedence
         from source_users su join sources s on s.id = su.source_id
        where su.email = any($1::text[]) and su.deleted_at is null
        order by s.precedence desc, su.updated_at desc`,
      [keys],
    )
  ).rows;

  // Two index lookups joined here rather than one three-way join: the planner's choice for the
  // latter depends on statistics that lag behind a table growing by a sync, and went quadratic.
  const groupsOf = new Map<string, GroupRow[]>();
  if (accounts.length > 0) {
    const memberOf = await tx.query<{ source_id: string; user_id: string; group_id: string }>(
      `select m.source_id, m.user_id, m.group_id
         from unnest($1::text[], $2::uuid[]) as a(source_id, user_id)
         join source_group_members m on m.source_id = a.source_id and m.user_id = a.user_id`,
      [accounts.map((a) => a.source_id), accounts.map((a) => a.id)],
    );
    const groupKeys = new Map<string, { source_id: string; group_id: string }>();
    for (const m of memberOf.rows) groupKeys.set(`${m.source_id}/${m.group_id}`, m);
    const groups = new Map<string, GroupRow>();
    if (groupKeys.size > 0) {
      const rows = await tx.query<{ source_id: string; id: string; external_id: string | null; display_name: string; aliases: string[] }>(
        `select g.source_id, g.id, g.external_id, g.display_name, g.aliases
           from unnest($1::text[], $2::uuid[]) as k(source_id, id)
           join source_groups g on g.source_id = k.source_id and g.id = k.id
          where g.deleted_at is null`,
        [[...groupKeys.values()].map((k) => k.source_id), [...groupKeys.values()].map((k) => k.group_id)],
      );
      for (const g of rows.rows) groups.set(`${g.source_id}/${g.id}`, { source_id: g.source_id, external_id: g.external_id, display_name: g.display_name, aliases: g.aliases });
    }
    for (const m of memberOf.rows) {
      const g = groups.get(`${m.source_id}/${m.group_id}`);
      if (!g) continue;
      const k = `${m.source_id}/${m.user_id}`;
      const list = groupsOf.get(k);
      if (list) list.push(g);
      else groupsOf.set(k, [g]);
    }
  }
  const accountsOf = new Map<string, AccountRow[]>();
  for (const a of accounts) {
    const list = accountsOf.get(a.email);
    if (list) list.push(a);
    else accountsOf.set(a.email, [a]);
  }

  // People: create the missing ones with their attributes (in key order), then lock them all in key order.
  const attributesOf = new Map<string, PersonAttributes>();
  for (const [key, own] of accountsOf) attributesOf.set(key, personAttributes(key, own, ctx.internalDomains));
  if (attributesOf.size > 0) {
    await tx.query(
      `insert into people (email, given_name, family_name, display_name, company, kind, status)
       select r.email, r.given_name, r.family_name, r.display_name, r.company, r.kind, r.status
         from jsonb_to_recordset($1::jsonb) as r(email text, given_name text, family_name text, display_name text, company text, kind text, status text)
        order by r.email
       on conflict (lower(email)) do nothing`,
      [JSON.stringify([...attributesOf].map(([email, a]) => ({ email, ...a })))],
    );
  }
  const people = (
    await tx.query<PersonRow>(
      `select p.id, p.email, p.given_name, p.family_name, p.display_name, p.company, p.kind, p.status
         from people p where lower(p.email) = any($1::text[]) order by lower(p.email) for update`,
      [keys],
    )
  ).rows;
  if (people.length === 0) return { people: 0, granted: 0, changed: 0, suspended: 0 };
  const existingLinks = new Map<string, Set<string>>();
  for (const l of (
    await tx.query<{ person_id: string; source_id: string; source_user_id: string }>(
      'select person_id, source_id, source_user_id from person_links where person_id = any($1::uuid[])',
      [people.map((p) => p.id)],
    )
  ).rows) {
    let set = existingLinks.get(l.person_id);
    if (!set) existingLinks.set(l.person_id, (set = new Set()));
    set.add(`${l.source_id}/${l.source_user_id}`);
  }

  const liveWorkspaces = new Set(
    (await tx.query<{ id: string }>('select id from workspaces where deleted_at is null')).rows.map((r) => r.id),
  );
  const rules = ctx.workspaces.filter((w) => liveWorkspaces.has(w.id));

  const grantsOf = new Map<string, RuleGrant[]>();
  const grants = await tx.query<GrantRow>(
    `select id, person_id, workspace_id, role, status, source_id, rule, valid_until
       from memberships where person_id = any($1::uuid[]) and origin = 'rules'`,
    [people.map((p) => p.id)],
  );
  for (const g of grants.rows) {
    const grant: RuleGrant = { id: g.id, workspaceId: g.workspace_id, role: g.role, status: g.status, sourceId: g.source_id, rule: g.rule, validUntil: g.valid_until };
    const list = grantsOf.get(g.person_id);
    if (list) list.push(grant);
    else grantsOf.set(g.person_id, [grant]);
  }

  const personUpdates: Array<Record<string, unknown>> = [];
  const linkInserts: Array<{ source_id: string; source_user_id: string; person_id: string }> = [];
  const linkDeletes: string[] = [];
  const inserts: Array<Record<string, unknown>> = [];
  const updates: Array<Record<string, unknown>> = [];
  const audit: Array<Record<string, unknown>> = [];
  const outbox: Array<Record<string, unknown>> = [];
  const result: ReconcileResult = { people: people.length, granted: 0, changed: 0, suspended: 0 };

  for (const person of people) {
    const key = person.email.toLowerCase();
    const own = accountsOf.get(key) ?? [];
    const change = causes.get(key);
    const actor = change ? `source:${change.sourceId}` : 'rules';
    const cause = change?.cause ?? 'reconciliation';

    const kind = isInternalEmail(key, ctx.internalDomains) ? 'internal' : 'external';
    const linked = existingLinks.get(person.id) ?? new Set<string>();
    const next = own.length > 0 ? personAttributes(key, own, ctx.internalDomains) : { ...person, kind, status: linked.size > 0 ? 'inactive' : person.status };
    if (
      next.given_name !== person.given_name || next.family_name !== person.family_name || next.display_name !== person.display_name ||
      next.company !== person.company || next.kind !== person.kind || next.status !== person.status
    ) {
      personUpdates.push({ id: person.id, given_name: next.given_name, family_name: next.family_name, display_name: next.display_name, company: next.company, kind: next.kind, status: next.status });
    }
    const wanted = new Set(own.map((a) => `${a.source_id}/${a.id}`));
    for (const a of own) if (!linked.has(`${a.source_id}/${a.id}`)) linkInserts.push({ source_id: a.source_id, source_user_id: a.id, person_id: person.id });
    for (const l of linked) if (!wanted.has(l)) linkDeletes.push(l);

    const observed: ObservedAccount[] = own.map((a) => ({
      sourceId: a.source_id,
      active: a.active,
      groups: (groupsOf.get(`${a.source_id}/${a.id}`) ?? []).map((g) => ({ externalId: g.external_id, displayName: g.display_name, aliases: g.aliases })),
    }));
    const desired = desiredMemberships(observed, rules);
    const diff = diffRuleGrants(grantsOf.get(person.id) ?? [], desired, {
      now,
      externalValidityMs: kind === 'external' ? ctx.externalValidityMs : null,
    });
    for (const op of diff) collect(op, { person, key, actor, cause, now, inserts, updates, audit, outbox, result });
  }

  if (personUpdates.length > 0) {
    await tx.query(
      `update people p set given_name = r.given_name, family_name = r.family_name, display_name = r.display_name,
              company = r.company, kind = r.kind, status = r.status, version = p.version + 1, updated_at = now()
         from jsonb_to_recordset($1::jsonb) as r(id uuid, given_name text, family_name text, display_name text, company text, kind text, status text)
        where p.id = r.id`,
      [JSON.stringify(personUpdates)],
    );
  }
  await syncLinks(tx, linkInserts, linkDeletes);
  if (inserts.length > 0) {
    await tx.query(
      `insert into memberships (id, person_id, workspace_id, origin, role, status, source_id, rule, valid_from, valid_until, granted_by)
       select r.id, r.person_id, r.workspace_id, 'rules', r.role, 'active', r.source_id, r.rule, r.valid_from, r.valid_until, r.granted_by
         from jsonb_to_recordset($1::jsonb) as r(id uuid, person_id uuid, workspace_id text, role text, source_id text, rule text,
              valid_from timestamptz, valid_until timestamptz, granted_by text)`,
      [JSON.stringify(inserts)],
    );
  }
  if (updates.length > 0) {
    await tx.query(
      `update memberships m set role = r.role, status = r.status, source_id = r.source_id, rule = r.rule,
              valid_until = r.valid_until, suspended_at = r.suspended_at, version = m.version + 1, updated_at = now()
         from jsonb_to_recordset($1::jsonb) as r(id uuid, role text, status text, source_id text, rule text,
              valid_until timestamptz, suspended_at timestamptz)
        where m.id = r.id`,
      [JSON.stringify(updates)],
    );
  }
  await insertAudit(tx, audit);
  await insertOutbox(tx, outbox);
  return result;
}

interface Collector {
  person: PersonRow;
  key: string;
  actor: string;
  cause: string;
  now: Date;
  inserts: Array<Record<string, unknown>>;
  updates: Array<Record<string, unknown>>;
  audit: Array<Record<string, unknown>>;
  outbox: Array<Record<string, unknown>>;
  result: ReconcileResult;
}

function collect(op: GrantChange, c: Collector): void {
  const base = { person_id: c.person.id, actor: c.actor, cause: c.cause };
  const event = (type: string, payload: Record<string, unknown>) =>
    c.outbox.push({ type, person_id: c.person.id, workspace_id: payload['workspaceId'], payload: { ...payload, personId: c.person.id, email: c.key, origin: 'rules' } });
  switch (op.kind) {
    case 'grant': {
      const id = crypto.randomUUID();
      const after = { role: op.desired.role, status: 'active', origin: 'rules', sourceId: op.desired.sourceId, rule: op.desired.rule, validUntil: op.validUntil };
      c.inserts.push({ id, person_id: c.person.id, workspace_id: op.desired.workspaceId, role: op.desired.role, source_id: op.desired.sourceId, rule: op.desired.rule, valid_from: c.now, valid_until: op.validUntil, granted_by: c.actor });
      c.audit.push({ ...base, action: 'membership.granted', workspace_id: op.desired.workspaceId, before: null, after });
      event('membership.granted', { membershipId: id, workspaceId: op.desired.workspaceId, role: op.desired.role, status: 'active', validUntil: op.validUntil });
      c.result.granted++;
      return;
    }
    case 'reactivate': {
      c.updates.push({ id: op.grant.id, role: op.desired.role, status: 'active', source_id: op.desired.sourceId, rule: op.desired.rule, valid_until: op.validUntil, suspended_at: null });
      c.audit.push({ ...base, action: 'membership.granted', workspace_id: op.grant.workspaceId, before: grantState(op.grant), after: { role: op.desired.role, status: 'active', origin: 'rules', sourceId: op.desired.sourceId, rule: op.desired.rule, validUntil: op.validUntil } });
      event('membership.granted', { membershipId: op.grant.id, workspaceId: op.grant.workspaceId, role: op.desired.role, status: 'active', previousStatus: op.grant.status, validUntil: op.validUntil });
      c.result.granted++;
      return;
    }
    case 'change-role': {
      c.updates.push({ id: op.grant.id, role: op.desired.role, status: op.grant.status, source_id: op.desired.sourceId, rule: op.desired.rule, valid_until: op.grant.validUntil, suspended_at: null });
      c.audit.push({ ...base, action: 'membership.role_changed', workspace_id: op.grant.workspaceId, before: grantState(op.grant), after: { ...grantState(op.grant), role: op.desired.role, sourceId: op.desired.sourceId, rule: op.desired.rule } });
      event('membership.role_changed', { membershipId: op.grant.id, workspaceId: op.grant.workspaceId, role: op.desired.role, previousRole: op.grant.role, status: op.grant.status, validUntil: op.grant.validUntil });
      c.result.changed++;
      return;
    }
    case 'retarget': {
      c.updates.push({ id: op.grant.id, role: op.grant.role, status: op.grant.status, source_id: op.desired.sourceId, rule: op.desired.rule, valid_until: op.grant.validUntil, suspended_at: null });
      return;
    }
    case 'suspend': {
      c.updates.push({ id: op.grant.id, role: op.grant.role, status: 'suspended', source_id: op.grant.sourceId, rule: op.grant.rule, valid_until: op.grant.validUntil, suspended_at: c.now });
      c.audit.push({ ...base, action: 'membership.suspended', workspace_id: op.grant.workspaceId, before: grantState(op.grant), after: { ...grantState(op.grant), status: 'suspended' } });
      event('membership.suspended', { membershipId: op.grant.id, workspaceId: op.grant.workspaceId, role: op.grant.role, status: 'suspended', validUntil: op.grant.validUntil });
      c.result.suspended++;
      return;
    }
  }
}

function grantState(g: RuleGrant): Record<string, unknown> {
  return { role: g.role, status: g.status, origin: 'rules', sourceId: g.sourceId, rule: g.rule, validUntil: g.validUntil };
}

async function syncLinks(
  tx: Queryable,
  inserts: Array<{ source_id: string; source_user_id: string; person_id: string }>,
  deletes: string[],
): Promise<void> {
  if (deletes.length > 0) {
    await tx.query(
      `delete from person_links l using unnest($1::text[], $2::uuid[]) as d(source_id, source_user_id)
        where l.source_id = d.source_id and l.source_user_id = d.source_user_id`,
      [deletes.map((d) => d.slice(0, d.indexOf('/'))), deletes.map((d) => d.slice(d.indexOf('/') + 1))],
    );
  }
  if (inserts.length > 0) {
    // A source user whose e-mail changed moves to its new person.
    await tx.query(
      `insert into person_links (source_id, source_user_id, person_id)
       select r.source_id, r.source_user_id, r.person_id from jsonb_to_recordset($1::jsonb) as r(source_id text, source_user_id uuid, person_id uuid)
       on conflict (source_id, source_user_id) do update set person_id = excluded.person_id`,
      [JSON.stringify(inserts)],
    );
  }
}

interface PersonAttributes {
  given_name: string | null;
  family_name: string | null;
  display_name: string | null;
  company: string | null;
  kind: 'internal' | 'external';
  status: 'active' | 'inactive';
}

/** A person's attributes come from their highest-precedence active account (accounts arrive ordered so). */
function personAttributes(key: string, own: readonly AccountRow[], internalDomains: readonly string[]): PersonAttributes {
  const lead = own.find((a) => a.active) ?? own[0];
  return {
    given_name: lead?.given_name ?? null,
    family_name: lead?.family_name ?? null,
    display_name: lead?.display_name ?? null,
    company: lead?.company ?? null,
    kind: isInternalEmail(key, internalDomains) ? 'internal' : 'external',
    status: own.some((a) => a.active) ? 'active' : 'inactive',
  };
}
