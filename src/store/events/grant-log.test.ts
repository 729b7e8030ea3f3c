import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredMembership } from '../../domain/desired-memberships.js';
import type { GrantChange, RuleGrant } from '../../domain/membership-diff.js';
import { GrantChangeBatch } from '../../reconcile/write-grant-changes.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../../../test/helpers/db.js';
import { logGrantChanges, type GrantChangeLog, type GrantState } from './grant-log.js';

/**
 * The grant log's contract: an event's payload and its audit row are the same whichever writer of
 * grants logs the change — the reconciler (column arrays, one statement with the memberships) or the
 * admin operations and lifecycle sweeps (`logGrantChanges`).
 */
describe.each(STORE_KINDS)('the grant log (%s)', (kind) => {
  let store: TestStore;
  let personId: string;
  const email = 'ann@example.com';
  const origin = { email, actor: 'source:hr', cause: 'hr changed' };
  const validUntil = new Date('2031-02-03T04:05:06.789Z');

  beforeAll(async () => {
    store = await openTestStore(kind);
    await store.db.query(`insert into sources (id, kind) values ('hr', 'scim')`);
    await store.db.query(`insert into workspaces (id, name, origin) values ('ws', 'WS', 'config')`);
    personId = (await store.db.query<{ id: string }>(`insert into people (email, kind) values ($1, 'external') returning id`, [email])).rows[0]?.id as string;
  });
  afterAll(async () => {
    await store?.close();
  });

  const desired = (role: RuleGrant['role'], rule: string) => ({ workspaceId: 'ws', role, sourceId: 'hr', rule }) as DesiredMembership;
  const stateOf = (g: RuleGrant): GrantState => ({ role: g.role, status: g.status, origin: 'rules', sourceId: g.sourceId, rule: g.rule, validUntil: g.validUntil });

  /** The audit and outbox rows a write produced, after which they are deleted so the other writer starts from the same place. */
  async function takeLogs(): Promise<{ audit: unknown[]; outbox: unknown[] }> {
    const audit = (await store.db.query('select actor, action, person_id, workspace_id, before, after, cause from audit_log order by id')).rows;
    const outbox = (await store.db.query('select type, person_id, workspace_id, payload from outbox order by id')).rows;
    await store.db.query('delete from audit_log');
    await store.db.query('delete from outbox');
    return { audit, outbox };
  }

  async function grantNow(): Promise<RuleGrant> {
    const r = await store.db.query<{ id: string; role: RuleGrant['role']; status: RuleGrant['status']; source_id: string | null; rule: string | null; valid_until: Date | null }>(
      `select id, role, status, source_id, rule, valid_until from memberships where person_id = $1 and workspace_id = 'ws' and origin = 'rules'`,
      [personId],
    );
    const g = r.rows[0];
    if (!g) throw new Error('no rules grant');
    return { id: g.id, workspaceId: 'ws', role: g.role, status: g.status, sourceId: g.source_id, rule: g.rule, validUntil: g.valid_until };
  }

  /** Logs `op` through the reconciler's writer, then the same change through `logGrantChanges`; returns both logs. */
  async function bothWriters(op: GrantChange, log: (after: RuleGrant) => GrantChangeLog): Promise<{ reconcile: unknown; admin: unknown }> {
    const batch = new GrantChangeBatch();
    batch.add(op, { personId, ...origin });
    await store.db.transaction((tx) => batch.write(tx, new Date('2030-01-01T00:00:00Z')));
    const reconcile = await takeLogs();
    const after = await grantNow();
    await store.db.transaction((tx) => logGrantChanges(tx, [log(after)]));
    return { reconcile, admin: await takeLogs() };
  }

  const change = (after: RuleGrant, action: string, before: GrantState | null, extra?: Record<string, unknown>): GrantChangeLog => ({
    actor: origin.actor, cause: origin.cause, action, person: { id: personId, email: 'Ann@Example.com' }, workspaceId: 'ws', membershipId: after.id,
    before, after: stateOf(after), event: action, ...(extra ? { extra } : {}),
  });

  it('writes the same audit row and event payload for a grant, a role change, a suspension and a reactivation', async () => {
    const granted = await bothWriters({ kind: 'grant', desired: desired('viewer', 'viewer: hr/staff'), validUntil }, (g) => change(g, 'membership.granted', null));
    expect(granted.reconcile).toEqual(granted.admin);
    expect(granted.admin).toMatchObject({
      outbox: [{ type: 'membership.granted', payload: { membershipId: expect.any(String), workspaceId: 'ws', personId, email, origin: 'rules', role: 'viewer', status: 'active', validUntil: '2031-02-03T04:05:06.789Z' } }],
    });

    const viewer = await grantNow();
    const promoted = await bothWriters({ kind: 'change-role', grant: viewer, desired: desired('editor', 'editor: hr/leads') }, (g) =>
      change(g, 'membership.role_changed', stateOf(viewer), { previousRole: 'viewer' }));
    expect(promoted.reconcile).toEqual(promoted.admin);
    expect(promoted.admin).toMatchObject({ outbox: [{ payload: { role: 'editor', previousRole: 'viewer' } }], audit: [{ before: { role: 'viewer', rule: 'viewer: hr/staff' }, after: { role: 'editor', rule: 'editor: hr/leads' } }] });

    const editor = await grantNow();
    const suspended = await bothWriters({ kind: 'suspend', grant: editor }, (g) => change(g, 'membership.suspended', stateOf(editor)));
    expect(suspended.reconcile).toEqual(suspended.admin);

    const off = await grantNow();
    const back = await bothWriters({ kind: 'reactivate', grant: off, desired: desired('editor', 'editor: hr/leads'), validUntil }, (g) =>
      change(g, 'membership.granted', stateOf(off), { previousStatus: 'suspended' }));
    expect(back.reconcile).toEqual(back.admin);
    expect(back.admin).toMatchObject({ outbox: [{ payload: { status: 'active', previousStatus: 'suspended' } }] });
  });
});
