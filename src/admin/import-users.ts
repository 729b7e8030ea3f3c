import { decide } from '../domain/role-policy.js';
import type { Role } from '../domain/roles.js';
import type { Queryable } from '../store/db.js';
import { insertAudit } from '../store/events/audit-log.js';
import { grantState, logGrantChanges, type GrantChangeLog } from '../store/events/grant-log.js';
import { activeAdminIds, grantsOfPeople, setRolesAndValidity, upsertManualGrants, type GrantRow } from '../store/granted/grants.js';
import { activeEffectiveMembershipIds, effectiveRole } from '../store/granted/members.js';
import { fillMissingCompanies, insertMissingPeople, lockPeopleByEmails, lockPersonIdsByEmails, type PersonKindRow } from '../store/people/people.js';
import { actorName, forbidden, type Actor } from './actor.js';
import { AdminError } from './admin-error.js';
import type { AdminContext } from './context.js';
import { lockWorkspace } from './grants.js';
import { parseImportCsv, type ImportLineError, type ImportRow } from './import-csv.js';

export interface ImportChange {
  line: number;
  email: string;
  action: 'grant' | 'change' | 'unchanged';
  role: Role;
  previousRole: Role | null;
  validUntil: string | null;
}

export interface ImportResult {
  dryRun: boolean;
  summary: { granted: number; changed: number; unchanged: number };
  changes: ImportChange[];
}

/** An import file with errors: nothing was written. `errors` lists every one with its line. */
export class ImportInvalidError extends AdminError {
  readonly errors: ImportLineError[];
  constructor(errors: ImportLineError[]) {
    const shown = errors.slice(0, 20).map((e) => `line ${e.line}: ${e.message}`).join('; ');
    super('invalid_request', `${errors.length} error(s) in the import file, nothing was imported: ${shown}${errors.length > 20 ? '; …' : ''}`);
    this.errors = errors;
  }
}

/**
 * Imports users into a workspace from the template's CSV. Every line is validated — the file, then
 * each line against the role matrix and the workspace's current members — before anything is
 * written; any error fails the whole file (`ImportInvalidError`). A valid file is applied in one
 * transaction, or with `dryRun` only reported.
 */
export async function importUsers(ctx: AdminContext, actor: Actor, workspaceId: string, csv: string, options: { dryRun: boolean }): Promise<ImportResult> {
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    await lockWorkspace(tx, workspaceId);
    const actorRole = actor.kind === 'system' ? 'admin' : await effectiveRole(tx, actor.personId, workspaceId);
    if (actorRole === null) throw new AdminError('forbidden', 'denied by rule "members-only": only members of the workspace may act in it');
    const viewerDenied = decide('assign-role', actorRole, 'viewer');
    if (!viewerDenied.allowed) throw forbidden(viewerDenied);

    const parsed = parseImportCsv(csv, { now, internalDomains: ctx.internalDomains, maxExtensionMs: ctx.maxExtensionMs });
    const errors = [...parsed.errors];
    const emails = parsed.rows.map((r) => r.email).sort();
    const people = new Map((await lockPeopleByEmails(tx, emails)).map((p) => [p.email.toLowerCase(), p]));
    const grantsByPerson = new Map<string, GrantRow[]>();
    for (const g of await grantsOfPeople(tx, workspaceId, [...people.values()].map((p) => p.id))) {
      const list = grantsByPerson.get(g.person_id);
      if (list) list.push(g);
      else grantsByPerson.set(g.person_id, [g]);
    }

    const effective = await activeEffectiveMembershipIds(tx, workspaceId, [...people.values()].map((p) => p.id));

    const changes: ImportChange[] = [];
    const planned: Array<{ row: ImportRow; person: PersonKindRow | undefined; current: GrantRow | undefined; manual: GrantRow | undefined; validUntil: Date | null }> = [];
    for (const row of parsed.rows) {
      const person = people.get(row.email);
      const grants = person ? (grantsByPerson.get(person.id) ?? []) : [];
      const effectiveId = person ? effective.get(person.id) : undefined;
      const current = grants.find((g) => g.id === effectiveId);
      const assign = decide('assign-role', actorRole, row.role);
      if (!assign.allowed) {
        errors.push({ line: row.line, field: 'role', message: `denied by rule "${assign.rule}": ${assign.reason}` });
        continue;
      }
      if (current && current.role !== row.role) {
        const change = decide('change-role', actorRole, current.role);
        if (!change.allowed) {
          errors.push({ line: row.line, field: 'role', message: `${row.email} is ${current.role}: denied by rule "${change.rule}": ${change.reason}` });
          continue;
        }
      }
      const sameValidity = row.validUntil === null || row.validUntil.getTime() === current?.valid_until?.getTime();
      if (current?.origin === 'rules') {
        if (current.role === row.role && sameValidity) changes.push(change(row, 'unchanged', current.role, current.valid_until));
        else errors.push({ line: row.line, message: `${row.email}'s membership is managed by rule "${current.rule ?? '?'}" of source "${current.source_id ?? '?'}"` });
        continue;
      }
      if (current && current.role === row.role && sameValidity) {
        changes.push(change(row, 'unchanged', current.role, current.valid_until));
        continue;
      }
      const external = person ? person.kind === 'external' : row.external;
      const validUntil = row.validUntil ?? (current ? current.valid_until : external ? new Date(now.getTime() + ctx.externalValidityMs) : null);
      planned.push({ row, person, current, manual: grants.find((g) => g.origin === 'manual'), validUntil });
      changes.push(change(row, current ? 'change' : 'grant', current?.role ?? null, validUntil));
    }

    // The last-admin guard over the whole file: demotions must leave the workspace an admin.
    const admins = await activeAdminIds(tx, workspaceId);
    if (admins.size > 0) {
      const after = new Set(admins);
      for (const p of planned) {
        if (!p.person) continue;
        const keepsAdmin = p.row.role === 'admin' || (grantsByPerson.get(p.person.id) ?? []).some((g) => g.id !== p.current?.id && g.status === 'active' && g.role === 'admin');
        if (!keepsAdmin) after.delete(p.person.id);
      }
      if (planned.some((p) => p.row.role === 'admin')) after.add('new');
      if (after.size === 0) {
        for (const p of planned) if (p.current?.role === 'admin') errors.push({ line: p.row.line, field: 'role', message: `the last admin of "${workspaceId}" cannot be demoted` });
      }
    }

    if (errors.length > 0) throw new ImportInvalidError(errors.sort((a, b) => a.line - b.line));
    const summary = {
      granted: changes.filter((c) => c.action === 'grant').length,
      changed: changes.filter((c) => c.action === 'change').length,
      unchanged: changes.filter((c) => c.action === 'unchanged').length,
    };
    if (options.dryRun) return { dryRun: true, summary, changes };
    await apply(tx, actor, workspaceId, now, planned);
    return { dryRun: false, summary, changes };
  });
}

function change(row: ImportRow, action: ImportChange['action'], previousRole: Role | null, validUntil: Date | null): ImportChange {
  return { line: row.line, email: row.email, action, role: action === 'unchanged' ? (previousRole as Role) : row.role, previousRole: action === 'grant' ? null : previousRole, validUntil: validUntil ? validUntil.toISOString() : null };
}

async function apply(
  tx: Queryable,
  actor: Actor,
  workspaceId: string,
  now: Date,
  planned: ReadonlyArray<{ row: ImportRow; person: PersonKindRow | undefined; current: GrantRow | undefined; manual: GrantRow | undefined; validUntil: Date | null }>,
): Promise<void> {
  if (planned.length === 0) return;
  const by = actorName(actor);
  const fresh = planned.filter((p) => !p.person).map((p) => p.row);
  await insertMissingPeople(tx, fresh.map((r) => ({ email: r.email, givenName: r.firstName, familyName: r.lastName, company: r.company, kind: r.external ? 'external' : 'internal' })));
  // People known before keep their attributes; a missing company is filled in from the file.
  await fillMissingCompanies(tx, planned.filter((p) => p.person).map((p) => ({ email: p.row.email, company: p.row.company })));
  const ids = await lockPersonIdsByEmails(tx, planned.map((p) => p.row.email));

  const grants = planned.filter((p) => !p.current);
  const roleChanges = planned.filter((p) => p.current);
  const log: GrantChangeLog[] = [];
  if (grants.length > 0) {
    const idOf = await upsertManualGrants(tx, workspaceId, grants.map((p) => ({ personId: ids.get(p.row.email) as string, role: p.row.role, validUntil: p.validUntil })), by, now);
    for (const p of grants) {
      const personId = ids.get(p.row.email) as string;
      log.push({
        actor: by, cause: 'import', action: 'membership.granted', person: { id: personId, email: p.row.email }, workspaceId,
        membershipId: idOf.get(personId) as string, before: p.manual ? grantState(p.manual) : null,
        after: { role: p.row.role, status: 'active', origin: 'manual', sourceId: null, rule: null, validUntil: p.validUntil }, event: 'membership.granted',
      });
    }
  }
  if (roleChanges.length > 0) {
    await setRolesAndValidity(tx, roleChanges.map((p) => ({ id: (p.current as GrantRow).id, role: p.row.role, validUntil: p.validUntil })));
    for (const p of roleChanges) {
      const current = p.current as GrantRow;
      const roleChanged = current.role !== p.row.role;
      log.push({
        actor: by, cause: 'import', action: roleChanged ? 'membership.role_changed' : 'membership.extended',
        person: { id: current.person_id, email: p.row.email }, workspaceId, membershipId: current.id, before: grantState(current),
        after: { ...grantState(current), role: p.row.role, validUntil: p.validUntil },
        event: roleChanged ? 'membership.role_changed' : null, extra: { previousRole: current.role },
      });
    }
  }
  await logGrantChanges(tx, log);
  await insertAudit(tx, [{ actor: by, action: 'import.applied', workspace_id: workspaceId, before: null, after: { granted: grants.length, changed: roleChanges.length }, cause: 'import' }]);
}
