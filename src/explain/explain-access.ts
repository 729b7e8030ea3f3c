import { authorize, visibleWorkspaces, type Actor } from '../admin/actor.js';
import { AdminError } from '../admin/admin-error.js';
import type { AdminContext } from '../admin/context.js';
import { desiredMemberships, ruleMatches, type Evidence } from '../domain/desired-memberships.js';
import type { Role } from '../domain/roles.js';
import { reconcileContext } from '../reconcile/context.js';
import {
  accessSubject,
  effectiveMembershipsOf,
  grantLog,
  grantsOfPerson,
  syncRunsById,
  type CitedRun,
  type GrantLogEntry,
  type StoredGrant,
} from '../store/granted/access-history.js';
import { isLiveWorkspace, liveWorkspaceIds } from '../store/granted/workspaces.js';
import { linkedLiveAccounts } from '../store/observed/accounts.js';
import { ruleInputsOfAccounts } from '../store/observed/rule-inputs.js';
import { endingOf, entryOrigin, type GrantEnding } from './grant-ending.js';
import { toObservedAccount } from '../reconcile/observed-account.js';

export interface GrantExplanation {
  origin: StoredGrant['origin'];
  role: Role;
  status: StoredGrant['status'];
  validFrom: string;
  validUntil: string | null;
  grantedBy: string | null;
  /** This grant gives the effective role (the `effective_memberships` view). */
  effective: boolean;
  /** Rule grants: the rule and source the grant was last written with. */
  sourceId?: string | null;
  rule?: string | null;
  /**
   * Rule grants: every match of the workspace's rules on the person's accounts now, the one that
   * gives the role first — from the matcher the reconciler runs, over the same observed state.
   */
  evidence?: Evidence[];
  /** A grant that is not active: the change that ended it and its cause. */
  ended?: (GrantEnding & { run?: RunView }) | null;
  /** Every change to this grant, oldest first. */
  history: Array<{ at: string; action: string; actor: string; cause: string | null; role: unknown; status: unknown }>;
}

interface RunView {
  id: string;
  mode: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface WorkspaceAccess {
  workspace: string;
  /** The effective role: the highest among the active grants; null when none is active. */
  role: Role | null;
  /** The origin of the grant that gives it. */
  origin: StoredGrant['origin'] | null;
  grants: GrantExplanation[];
  /**
   * What the rules say now when the rule grant does not show it yet (a change still queued for
   * the reconciler): the role they would give, or null when they would suspend it.
   */
  pending?: { role: Role | null; rule: string | null };
}

export interface AccessExplanation {
  person: { id: string; email: string };
  workspaces: WorkspaceAccess[];
}

/**
 * Why a person holds what they hold (design §5, `GET /people/{id}/access`): per workspace the
 * effective role, each grant behind it with its evidence, and for an ended grant the change that
 * ended it. The evidence is computed by the reconciler's own matcher over the observed state the
 * reconciler reads, so it cannot disagree with the grant; where a change has not been reconciled
 * yet, `pending` says what the next reconcile will do. Readable by whoever may view the members of
 * the workspace (role matrix); other workspaces are left out, and a person outside every workspace
 * the actor may view is not found.
 */
export async function explainAccess(ctx: AdminContext, actor: Actor, personId: string, options: { workspace?: string | undefined } = {}): Promise<AccessExplanation> {
  const db = ctx.db;
  const person = await accessSubject(db, personId);
  if (!person) throw new AdminError('not_found', `person "${personId}" not found`);
  let scope = await visibleWorkspaces(db, actor);
  if (options.workspace !== undefined) {
    if (!(await isLiveWorkspace(db, options.workspace))) throw new AdminError('not_found', `workspace "${options.workspace}" not found`);
    await authorize(db, actor, options.workspace, 'view');
    scope = [options.workspace];
  }
  const inScope = (ws: string) => scope === null || scope.includes(ws);

  const grants = await grantsOfPerson(db, personId, scope);
  const live = await liveWorkspaceIds(db);
  const reconciler = reconcileContext(db, ctx.config);
  const rules = reconciler.workspaces.filter((w) => live.has(w.id) && inScope(w.id));
  // The person's accounts read and converted as the reconciler reads and converts them.
  const linked = await linkedLiveAccounts(db, personId);
  const inputs = await ruleInputsOfAccounts(db, linked, { withAttributes: reconciler.readAttributes });
  const accounts = linked.flatMap((a) => {
    const input = inputs.get(`${a.source_id}/${a.id}`);
    return input ? [toObservedAccount({ ...input, source_id: a.source_id, id: a.id, active: a.active }, reconciler.attributeViews)] : [];
  });
  const desired = new Map(desiredMemberships(accounts, rules).map((d) => [d.workspaceId, d]));

  const workspaceIds = [...new Set([...grants.map((g) => g.workspace_id), ...desired.keys(), ...(options.workspace ? [options.workspace] : [])])].sort();
  if (workspaceIds.length === 0 && actor.kind === 'person' && actor.personId !== personId && options.workspace === undefined) {
    throw new AdminError('not_found', `person "${personId}" not found`);
  }
  const log = await grantLog(db, personId, workspaceIds);
  const effective = await effectiveMembershipsOf(db, personId);
  const endings = new Map(grants.map((g) => [g.id, endingOf(g, log.filter((e) => e.workspace_id === g.workspace_id))]));
  const runIds = [...endings.values()].flatMap((e) => (e?.by.kind === 'sync' ? [e.by.runId] : []));
  const runs = await syncRunsById(db, runIds);

  const workspaces = workspaceIds.map((ws): WorkspaceAccess => {
    const own = grants.filter((g) => g.workspace_id === ws);
    const eff = effective.get(ws);
    const effectiveGrant = eff?.status === 'active' ? own.find((g) => g.id === eff.membershipId) : undefined;
    const workspaceRules = rules.find((w) => w.id === ws);
    const explained = own.map((g) => explainGrant(g, {
      effective: g.id === effectiveGrant?.id,
      evidence: g.origin === 'rules' && workspaceRules ? ruleMatches(accounts, workspaceRules) : undefined,
      ending: endings.get(g.id) ?? null,
      runs,
      log: log.filter((e) => e.workspace_id === ws && entryOrigin(e) === g.origin),
    }));
    const out: WorkspaceAccess = { workspace: ws, role: effectiveGrant?.role ?? null, origin: effectiveGrant?.origin ?? null, grants: explained };
    const pending = pendingRuleChange(own.find((g) => g.origin === 'rules'), desired.get(ws));
    if (pending) out.pending = pending;
    return out;
  });
  return { person: { id: person.id, email: person.email }, workspaces };
}

function explainGrant(
  g: StoredGrant,
  extra: { effective: boolean; evidence: Evidence[] | undefined; ending: GrantEnding | null; runs: ReadonlyMap<string, CitedRun>; log: readonly GrantLogEntry[] },
): GrantExplanation {
  const out: GrantExplanation = {
    origin: g.origin,
    role: g.role,
    status: g.status,
    validFrom: g.valid_from.toISOString(),
    validUntil: g.valid_until?.toISOString() ?? null,
    grantedBy: g.granted_by,
    effective: extra.effective,
    history: extra.log.map((e) => ({ at: e.at.toISOString(), action: e.action, actor: e.actor, cause: e.cause, role: e.after?.['role'] ?? null, status: e.after?.['status'] ?? null })),
  };
  if (g.origin === 'rules') {
    out.sourceId = g.source_id;
    out.rule = g.rule;
    out.evidence = extra.evidence ?? [];
  }
  if (g.status !== 'active') {
    const ending = extra.ending;
    const run = ending?.by.kind === 'sync' ? extra.runs.get(ending.by.runId) : undefined;
    out.ended = ending && run ? { ...ending, run: runView(run) } : ending;
  }
  return out;
}

/** What the rules now say differs from the rule grant: the reconciler has yet to apply it. */
function pendingRuleChange(
  grant: StoredGrant | undefined,
  want: { role: Role; rule: string } | undefined,
): WorkspaceAccess['pending'] | undefined {
  const active = grant?.status === 'active';
  if (want) {
    if (active && grant.role === want.role) return undefined;
    // An expired grant keeps its status until an admin extends it; the rules do not revive it.
    if (grant?.status === 'expired' && grant.role === want.role) return undefined;
    return { role: want.role, rule: want.rule };
  }
  // No rule matches any more (or the workspace has no rules): the next reconcile suspends it.
  return active ? { role: null, rule: null } : undefined;
}

function runView(run: CitedRun): RunView {
  return { id: run.id, mode: run.mode, status: run.status, startedAt: run.started_at?.toISOString() ?? null, finishedAt: run.finished_at?.toISOString() ?? null };
}
