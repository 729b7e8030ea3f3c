/**
 * Security property, over real HTTP on both stores: a person token never exceeds the role matrix.
 * Every cell of the matrix — the actor's effective role (or none) × action (× the endpoint that
 * does it) × target role × requested role × whom it is done to (a member, oneself, someone who is
 * not a member there) — is tried with a random setting drawn by fast-check: the actor's grants
 * behind that role (any origins, lower active grants and inactive grants of any role beside the one
 * that counts) and their grants in another workspace. The admin API must answer what
 * `src/domain/role-policy.ts` decides for the effective role — 2xx when allowed, 403 naming the
 * deciding rule when not, 403 `members-only` for a non-member before anything is looked up — and
 * a refused action changes nothing.
 *
 * Seeded: cell i draws from FUZZ_SEED + i (fixed by default); FUZZ_RUNS cases per cell (1).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, NOT_A_MEMBER, POLICY_ACTIONS, type PolicyAction, type PolicyDecision } from '../../src/domain/role-policy.js';
import { ROLES, type Role } from '../../src/domain/roles.js';
import { startAdminApp, type AdminApp } from '../helpers/admin-app.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';

const SEED = process.env['FUZZ_SEED'] !== undefined ? Number(process.env['FUZZ_SEED']) : 20_261_215;
/** Random cases per cell of the matrix. */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 1);
const DAY = 86_400_000;
const ORIGINS = ['manual', 'invite', 'rules'] as const;
const INACTIVE = ['suspended', 'expired', 'removed'] as const;
const RANK: Record<Role, number> = { admin: 3, editor: 2, viewer: 1 };
const ON_A_MEMBER: readonly PolicyAction[] = ['change-role', 'remove-member', 'extend'];

type Origin = (typeof ORIGINS)[number];
interface Grant {
  origin: Origin;
  role: Role;
  status: 'active' | (typeof INACTIVE)[number];
}
/** What the API is asked to do; the variants of an action reach it through different endpoints. */
type Variant = 'list-members' | 'list-invites' | 'rename' | 'delete' | 'audit' | 'default';
interface Case {
  /** The actor's grants in the workspace acted in ("here") and in another one. */
  grants: { here: Grant[]; elsewhere: Grant[] };
  action: PolicyAction;
  variant: Variant;
  /** The target's role: of the member acted on, of the invite, or the role assigned. */
  target: Role;
  /** For change-role: the role asked for. */
  to: Role;
  /**
   * For change-role, remove-member, extend: a member of the workspace, the actor themselves, or
   * someone who is a member elsewhere only; for revoke-invite, `outsider` is an invite of the other workspace.
   */
  on: 'member' | 'self' | 'outsider';
}

/** Grants with no active one above `top` (none at all for `none`), in any mix of origins and statuses. */
const grantsUnder = (top: Role | 'none'): fc.Arbitrary<Grant[]> =>
  fc.shuffledSubarray([...ORIGINS], { minLength: top === 'none' ? 0 : 1 }).chain((origins) => {
    const [first, ...rest] = origins;
    const lower = ROLES.filter((r) => top !== 'none' && RANK[r] <= RANK[top]);
    const noise = (origin: Origin): fc.Arbitrary<Grant> =>
      lower.length === 0
        ? fc.record({ origin: fc.constant(origin), role: fc.constantFrom(...ROLES), status: fc.constantFrom(...INACTIVE) })
        : fc.oneof(
            fc.record({ origin: fc.constant(origin), role: fc.constantFrom(...ROLES), status: fc.constantFrom(...INACTIVE) }),
            fc.record({ origin: fc.constant(origin), role: fc.constantFrom(...lower), status: fc.constant('active' as const) }),
          );
    const lead = first === undefined ? [] : [top === 'none' ? noise(first) : fc.constant<Grant>({ origin: first, role: top, status: 'active' })];
    return fc.tuple(...lead, ...rest.map(noise));
  });

type On = Case['on'];
/** The part of a case the role matrix decides on; each is tried, with the rest drawn at random. */
interface Cell {
  role: Role | 'none';
  action: PolicyAction;
  variant: Variant;
  target?: Role;
  to?: Role;
  on?: On;
}

const ACTOR_ROLES = ['none', ...ROLES] as const;
const VARIANTS: Partial<Record<PolicyAction, Variant[]>> = { view: ['list-members', 'list-invites'], 'manage-workspace': ['rename', 'delete', 'audit'] };
const ONS: Partial<Record<PolicyAction, On[]>> = { 'change-role': ['member', 'self', 'outsider'], 'remove-member': ['member', 'self', 'outsider'], extend: ['member', 'self', 'outsider'], 'revoke-invite': ['member', 'outsider'] };
const TARGETED: readonly PolicyAction[] = ['invite', 'revoke-invite', 'assign-role', 'change-role', 'remove-member'];

/** Every cell: actor role × action (× endpoint) × target role where it matters × requested role × whom. */
const CELLS: Cell[] = ACTOR_ROLES.flatMap((role) =>
  POLICY_ACTIONS.flatMap((action) =>
    (VARIANTS[action] ?? ['default']).flatMap((variant) =>
      (TARGETED.includes(action) ? ROLES : [undefined]).flatMap((target) =>
        (action === 'change-role' ? ROLES : [undefined]).flatMap((to) => (ONS[action] ?? [undefined]).map((on) => ({ role, action, variant, target, to, on }))),
      ),
    ),
  ),
);

/** A case of `cell`: the actor's grants here give exactly its role; everything else is drawn. */
const caseFor = (cell: Cell): fc.Arbitrary<Case> =>
  fc
    .record({
      here: grantsUnder(cell.role),
      elsewhere: fc.constantFrom(...ACTOR_ROLES).chain(grantsUnder),
      target: cell.target === undefined ? fc.constantFrom(...ROLES) : fc.constant(cell.target),
      to: cell.to === undefined ? fc.constantFrom(...ROLES) : fc.constant(cell.to),
      on: cell.on === undefined ? fc.constantFrom<On>('member', 'self', 'outsider') : fc.constant(cell.on),
    })
    .map(({ here, elsewhere, ...rest }) => ({ ...rest, action: cell.action, variant: cell.variant, grants: { here, elsewhere } }));

/** The active grant that gives the effective role: the highest role, the rules' grant on a tie (as `effectiveGrant`). */
function effective(grants: readonly Grant[]): Grant | undefined {
  return grants.filter((g) => g.status === 'active').sort((x, y) => RANK[y.role] - RANK[x.role] || Number(y.origin === 'rules') - Number(x.origin === 'rules'))[0];
}

/** What the role matrix says, for the actor's effective role in the workspace acted in. */
function expected(c: Case): { decision: PolicyDecision; actorGrant: Grant | undefined } {
  const actorGrant = effective(c.grants.here);
  // Someone who is not a member learns nothing of the workspace, not even whether a target is in it.
  if (!actorGrant) return { decision: NOT_A_MEMBER, actorGrant };
  const role = actorGrant.role;
  const targetRole = c.on === 'self' && ON_A_MEMBER.includes(c.action) ? role : c.target;
  if (c.action === 'change-role') {
    const first = decide('change-role', role, targetRole);
    return { decision: first.allowed ? decide('assign-role', role, c.to) : first, actorGrant };
  }
  return { decision: decide(c.action, role, targetRole), actorGrant };
}

describe.each(STORE_KINDS)('a person token never exceeds the role matrix (%s)', (kind) => {
  let store: TestStore;
  let app: AdminApp;
  let n = 0;

  beforeAll(async () => {
    store = await openTestStore(kind);
    app = await startAdminApp(store.db, {
      organization: { internalDomains: ['example.com'] },
      sources: [{ id: 'hr', kind: 'scim' }],
      lifecycle: { externalValidity: 'P90D', maxExtension: 'P180D' },
    });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  async function ok<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await app.call<T>(method, path, body === undefined ? {} : { body });
    expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
    return res.body;
  }
  /** Everything an action could change in a workspace: its row, grants, invites. */
  const stateOf = async (ws: string) =>
    JSON.stringify([
      (await store.db.query('select id, name, deleted_at from workspaces where id = $1', [ws])).rows,
      (await store.db.query('select person_id, origin, role, status, valid_until, version from memberships where workspace_id = $1 order by person_id, origin', [ws])).rows,
      (await store.db.query('select id, role, status from invites where workspace_id = $1 order by id', [ws])).rows,
    ]);

  /**
   * The case's fixture, written straight to the store in one statement (only the action under test
   * goes through HTTP, so that hundreds of cases run in seconds): two workspaces, an admin anchoring
   * the one acted in (so that the last-admin rule never decides), the actor's grants, a target
   * member and a pending invite. Returns the ids.
   */
  async function fixture(k: number, c: Case): Promise<{ here: string; actor: string; target: string; invite: string }> {
    const here = `p${k}h`;
    const elsewhere = `p${k}e`;
    const targetWs = c.on === 'outsider' ? elsewhere : here;
    const grants = [
      ...c.grants.here.map((g) => ({ ...g, ws: here })),
      ...c.grants.elsewhere.map((g) => ({ ...g, ws: elsewhere })),
    ];
    const r = await store.db.query<{ actor: string; target: string; invite: string }>(
      `with ws as (insert into workspaces (id, name, origin) values ($1, $1, 'api'), ($2, $2, 'api') returning id),
            anchor as (insert into people (email, kind) values ('anchor-' || $1 || '@example.com', 'internal') returning id),
            actor as (insert into people (email, kind) values ('actor-' || $1 || '@example.com', 'internal') returning id),
            target as (insert into people (email, kind) values ('target-' || $1 || '@example.com', 'internal') returning id),
            g as (
              insert into memberships (person_id, workspace_id, origin, role, status, source_id, rule, suspended_at)
              select (select id from anchor), $1, 'manual', 'admin', 'active', null, null, null::timestamptz
              union all select (select id from target), $3, 'manual', $4, 'active', null, null, null
              union all select (select id from actor), x.ws, x.origin, x.role, x.status,
                               case when x.origin = 'rules' then 'hr' end, case when x.origin = 'rules' then x.role || ': hr/group' end,
                               case when x.status = 'suspended' then now() end
                from jsonb_to_recordset($5::jsonb) as x(ws text, origin text, role text, status text)
              returning 1),
            i as (insert into invites (workspace_id, email, role, token_hash, invited_by, expires_at)
                  values ($3, 'invitee-' || $1 || '@example.com', $4, 'hash-' || $1, 'system', $6) returning id)
       select (select id from actor) as actor, (select id from target) as target, (select id from i) as invite, (select count(*) from ws) + (select count(*) from g) as written`,
      [here, elsewhere, targetWs, c.target, JSON.stringify(grants), new Date(app.clock.now.getTime() + 14 * DAY)],
    );
    const row = r.rows[0] as { actor: string; target: string; invite: string };
    return { here, actor: row.actor, target: row.target, invite: row.invite };
  }

  async function check(c: Case): Promise<void> {
    const k = ++n;
    const { here, actor, target, invite } = await fixture(k, c);
    const token = await app.tokenFor(`actor-${here}@example.com`);
    const { decision, actorGrant } = expected(c);
    const self = c.on === 'self' && actorGrant !== undefined && ON_A_MEMBER.includes(c.action);
    const targetId = self ? actor : target;
    const absent = c.on === 'outsider' && (ON_A_MEMBER.includes(c.action) || c.action === 'revoke-invite');
    const before = await stateOf(here);

    const call = (method: string, path: string, body?: unknown) => app.call(method, path, body === undefined ? { token } : { token, body });
    let res: { status: number; text: string };
    switch (c.action) {
      case 'view':
        res = await call('GET', `/workspaces/${here}/${c.variant === 'list-invites' ? 'invites' : 'members'}`);
        break;
      case 'invite':
        res = await call('POST', `/workspaces/${here}/invites`, { email: `new-invitee-${k}@example.com`, role: c.target });
        break;
      case 'revoke-invite':
        res = await call('DELETE', `/workspaces/${here}/invites/${invite}`);
        break;
      case 'assign-role':
        res = await call('POST', `/workspaces/${here}/members`, { email: `new-${k}@example.com`, role: c.target });
        break;
      case 'change-role':
        res = await call('PATCH', `/workspaces/${here}/members/${targetId}`, { role: c.to });
        break;
      case 'remove-member':
        res = await call('DELETE', `/workspaces/${here}/members/${targetId}`);
        break;
      case 'extend':
        res = await call('POST', `/workspaces/${here}/members/${targetId}/extend`, { validUntil: new Date(app.clock.now.getTime() + 30 * DAY).toISOString() });
        break;
      case 'manage-workspace':
        res =
          c.variant === 'rename'
            ? await call('PATCH', `/workspaces/${here}`, { name: `Renamed ${k}` })
            : c.variant === 'delete'
              ? await call('DELETE', `/workspaces/${here}`)
              : await call('GET', `/audit?workspace=${here}`);
        break;
    }
    const what = `${c.action}/${c.variant} as ${actorGrant?.role ?? 'no member'} (${JSON.stringify(c.grants)}) on ${self ? 'self' : `${c.on} ${c.target}`}${c.action === 'change-role' ? ` → ${c.to}` : ''}: ${res.status} ${res.text}`;
    // A member may learn that the target is not in the workspace (they can list its members); the
    // target's role decides the others, so without a target only extend, which ignores it, is decided.
    if (actorGrant !== undefined && absent && !(c.action === 'extend' && !decision.allowed)) {
      expect(res.status, what).toBe(404);
      expect(await stateOf(here), what).toBe(before);
      return;
    }
    if (!decision.allowed) {
      expect(res.status, what).toBe(403);
      expect((JSON.parse(res.text) as { error: { code: string; message: string } }).error, what).toMatchObject({ code: 'forbidden', message: expect.stringContaining(`denied by rule "${decision.rule}"`) });
      expect(await stateOf(here), what).toBe(before);
      return;
    }
    // Allowed by the matrix. Only the rules' own grant on the actor themselves is refused, as rule-managed.
    const activeRules = c.grants.here.some((g) => g.origin === 'rules' && g.status === 'active');
    const ruleManaged = self && ((c.action === 'change-role' && actorGrant?.origin === 'rules') || (c.action === 'remove-member' && activeRules));
    if (ruleManaged) expect([res.status, JSON.parse(res.text).error.code], what).toEqual([409, 'rule_managed']);
    else expect(res.status, what).toBeLessThan(300);
  }

  it(`agrees with role-policy.ts decide() in each of its ${CELLS.length} cells, ${RUNS} random case(s) each (seed ${SEED})`, async () => {
    for (const [i, cell] of CELLS.entries()) {
      for (const c of fc.sample(caseFor(cell), { seed: SEED + i, numRuns: RUNS })) await check(c);
    }
  }, 300_000);

  it('a person cannot act in a workspace that does not exist or was deleted, whatever their role elsewhere', async () => {
    const token = await app.tokenFor('admin-elsewhere@example.com');
    await ok('POST', '/workspaces', { id: 'gone', name: 'Gone' });
    await ok('POST', '/workspaces/gone/members', { email: 'admin-elsewhere@example.com', role: 'admin' });
    await ok('POST', '/workspaces', { id: 'other', name: 'Other' });
    await ok('POST', '/workspaces/other/members', { email: 'admin-elsewhere@example.com', role: 'admin' });
    await ok('DELETE', '/workspaces/gone');
    for (const [method, path] of [['GET', '/workspaces/gone/members'], ['PATCH', '/workspaces/gone'], ['GET', '/audit?workspace=gone'], ['GET', '/workspaces/nowhere/members']] as const) {
      const res = await app.call(method, path, { token, ...(method === 'PATCH' ? { body: { name: 'x' } } : {}) });
      expect([403, 404], `${method} ${path}: ${res.text}`).toContain(res.status);
    }
  });

  it("an admin of one workspace cannot take over a deleted one by creating it again and read its history", async () => {
    await ok('POST', '/workspaces', { id: 'secret-team', name: 'Secret team' });
    await ok('POST', '/workspaces/secret-team/members', { email: 'secret-lead@example.com', role: 'admin' });
    await ok('POST', '/workspaces/secret-team/members', { email: 'secret-member@example.com', role: 'viewer' });
    await ok('DELETE', '/workspaces/secret-team');
    await ok('POST', '/workspaces', { id: 'mine', name: 'Mine' });
    await ok('POST', '/workspaces/mine/members', { email: 'ambitious@example.com', role: 'admin' });
    const token = await app.tokenFor('ambitious@example.com');
    const again = await app.call<{ error: { code: string } }>('POST', '/workspaces', { token, body: { id: 'secret-team', name: 'Mine now' } });
    expect(again.status, again.text).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    const audit = await app.call('GET', '/audit?workspace=secret-team', { token });
    expect(audit.status).toBe(403);
    expect(audit.text).not.toContain('secret-member@example.com');
    // The system token may bring it back.
    expect((await app.call('POST', '/workspaces', { body: { id: 'secret-team', name: 'Back' } })).status).toBe(201);
  });
});
