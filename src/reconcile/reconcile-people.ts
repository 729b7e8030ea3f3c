import { desiredMemberships, type ObservedAccount, type WorkspaceRules } from '../domain/desired-memberships.js';
import { isInternalEmail } from '../domain/email.js';
import { diffRuleGrants, type RuleGrant } from '../domain/membership-diff.js';
import type { Role } from '../domain/roles.js';
import type { Db, Queryable } from '../store/db.js';
import type { PersonChange } from '../ingest/records.js';
import { v7 as uuidv7 } from 'uuid';
import { GrantChangeBatch } from './write-grant-changes.js';

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
  // Every read below looks a batch of people up by key, so an index lookup is always the right plan.
  // Statistics lag behind tables that a sync grows from nothing (the planner then takes them for
  // empty and scans them whole, once per batch: quadratic in the size of the sync).
  await tx.query('set local enable_seqscan = off');
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
    const rows = [...attributesOf].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    await tx.query(
      `insert into people (email, given_name, family_name, display_name, company, kind, status, id)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[])
       on conflict (lower(email)) do nothing`,
      [...personColumns(rows.map(([email]) => email), rows.map(([, a]) => a)), rows.map(() => uuidv7())],
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

  const personUpdates: Array<PersonAttributes & { id: string }> = [];
  const linkInserts: Array<{ source_id: string; source_user_id: string; person_id: string }> = [];
  const linkDeletes: string[] = [];
  const changes = new GrantChangeBatch();

  for (const person of people) {
    const key = person.email.toLowerCase();
    const own = accountsOf.get(key) ?? [];
    const change = causes.get(key);
    const actor = change ? `source:${change.sourceId}` : 'rules';
    const cause = change?.cause ?? 'reconciliation';

    const kind: PersonAttributes['kind'] = isInternalEmail(key, ctx.internalDomains) ? 'internal' : 'external';
    const linked = existingLinks.get(person.id) ?? new Set<string>();
    const next: PersonAttributes = attributesOf.get(key) ?? { ...person, kind, status: linked.size > 0 ? 'inactive' : person.status };
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
    for (const op of diff) changes.add(op, { personId: person.id, email: key, actor, cause });
  }

  if (personUpdates.length > 0) {
    await tx.query(
      `update people p set given_name = r.given_name, family_name = r.family_name, display_name = r.display_name,
              company = r.company, kind = r.kind, status = r.status, version = p.version + 1, updated_at = now()
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
              as r(id, given_name, family_name, display_name, company, kind, status)
        where p.id = r.id`,
      personColumns(personUpdates.map((u) => u.id), personUpdates),
    );
  }
  await syncLinks(tx, linkInserts, linkDeletes);
  await changes.write(tx, now);
  return { people: people.length, ...changes.counts };
}

/** People rows as the column arrays of an `unnest`: their keys (e-mails or ids) first, then the attributes. */
function personColumns(keys: readonly string[], rows: readonly PersonAttributes[]): Array<readonly unknown[]> {
  return [
    keys,
    rows.map((r) => r.given_name),
    rows.map((r) => r.family_name),
    rows.map((r) => r.display_name),
    rows.map((r) => r.company),
    rows.map((r) => r.kind),
    rows.map((r) => r.status),
  ];
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
       select * from unnest($1::text[], $2::uuid[], $3::uuid[])
       on conflict (source_id, source_user_id) do update set person_id = excluded.person_id`,
      [inserts.map((l) => l.source_id), inserts.map((l) => l.source_user_id), inserts.map((l) => l.person_id)],
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
