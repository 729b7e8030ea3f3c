import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from '../../src/admin/add-member.js';
import { adminContext } from '../../src/admin/context.js';
import { extendMember } from '../../src/admin/extend-member.js';
import { parseConfig } from '../../src/config/load.js';
import { withLease } from '../../src/lifecycle/lease.js';
import { runSweeps, runSweepsOnce } from '../../src/lifecycle/run-sweeps.js';
import { lifecycleSettings } from '../../src/lifecycle/settings.js';
import type { Db } from '../../src/store/db.js';
import { createPostgresDb } from '../../src/store/postgres.js';
import { registerConfig } from '../../src/store/registry.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';

const DAY = 86_400_000;
const SYSTEM = { kind: 'system' } as const;
const config = parseConfig({
  organization: { internalDomains: ['example.com'] },
  workspaces: ['expiry', 'grace', 'inactive', 'crowd'].map((id) => ({ id, name: id })),
  lifecycle: { externalValidity: 'P90D', maxExtension: 'P180D', graceAfterDeprovision: 'P30D', inactivity: 'P180D', remindBefore: 'P14D' },
});
const settings = lifecycleSettings(config, 50);
const at = (base: Date, days: number) => new Date(base.getTime() + days * DAY);

describe.each(STORE_KINDS)('lifecycle sweeps on %s', (kind) => {
  let store: TestStore;
  let db: Db;
  const clock = { now: new Date('2026-01-01T00:00:00Z') };
  const ctx = () => adminContext(db, config, () => clock.now);

  beforeAll(async () => {
    store = await openTestStore(kind);
    db = store.db;
    await registerConfig(db, config);
  });
  afterAll(async () => {
    await store?.close();
  });

  const events = async (ws: string) =>
    (await db.query<{ type: string; email: string; status: string }>(
      `select type, payload->>'email' as email, payload->>'status' as status from outbox where workspace_id = $1 order by id`, [ws],
    )).rows;
  const statusOf = async (ws: string, email: string) =>
    (await db.query<{ status: string }>(`select m.status from memberships m join people p on p.id = m.person_id where m.workspace_id = $1 and p.email = $2`, [ws, email])).rows.map((r) => r.status);

  it('reminds once remindBefore ahead, expires at valid_until, and reminds again after an extension', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    clock.now = t0;
    const a = await addMember(ctx(), SYSTEM, 'expiry', { email: 'a@partner.example.org', role: 'viewer' });
    await addMember(ctx(), SYSTEM, 'expiry', { email: 'b@partner.example.org', role: 'viewer' });
    await addMember(ctx(), SYSTEM, 'expiry', { email: 'staff@example.com', role: 'viewer' });
    const types = async () => (await events('expiry')).filter((e) => e.type !== 'membership.granted').map((e) => `${e.type} ${e.email}`);

    await runSweeps(db, settings, at(t0, 75)); // 15 days before the end: not yet
    expect(await types()).toEqual([]);
    await runSweeps(db, settings, at(t0, 77));
    await runSweeps(db, settings, at(t0, 78)); // once only
    expect((await types()).sort()).toEqual(['membership.expiring a@partner.example.org', 'membership.expiring b@partner.example.org']);
    // Everyone is active, so that inactivity stays out of this test.
    await db.query(`update people set last_active_at = $1 where email in ('a@partner.example.org', 'b@partner.example.org', 'staff@example.com')`, [at(t0, 80)]);

    clock.now = at(t0, 80);
    await extendMember(ctx(), SYSTEM, 'expiry', a.personId, at(t0, 200).toISOString());
    await runSweeps(db, settings, at(t0, 91));
    expect(await statusOf('expiry', 'a@partner.example.org')).toEqual(['active']);
    expect(await statusOf('expiry', 'b@partner.example.org')).toEqual(['expired']);
    expect(await statusOf('expiry', 'staff@example.com')).toEqual(['active']); // internal: no end
    await runSweeps(db, settings, at(t0, 187));
    await runSweeps(db, settings, at(t0, 188));
    expect((await types()).slice(2)).toEqual([
      'membership.expired b@partner.example.org',
      'membership.expiring a@partner.example.org',
    ]);
    const audit = await db.query<{ actor: string; before: { status: string }; after: { status: string } }>(`select actor, before, after from audit_log where workspace_id = 'expiry' and action = 'membership.expired'`);
    expect(audit.rows).toEqual([expect.objectContaining({ actor: 'sweep:expiry', before: expect.objectContaining({ status: 'active' }), after: expect.objectContaining({ status: 'expired' }) })]);
  });

  it('removes suspended grants after the grace period unless asserted again', async () => {
    const t0 = new Date('2027-01-01T00:00:00Z');
    for (const [email, status] of [['gone@example.com', 'suspended'], ['back@example.com', 'suspended']] as const) {
      await db.query(`insert into people (email) values ($1)`, [email]);
      await db.query(
        `insert into memberships (person_id, workspace_id, origin, role, status, source_id, rule, suspended_at, valid_from)
         select id, 'grace', 'rules', 'viewer', $2, 'hr', 'viewer: hr/all', $3, $3 from people where email = $1`,
        [email, status, t0],
      );
    }
    await db.query(`update people set last_active_at = $1 where email in ('gone@example.com', 'back@example.com')`, [t0]);
    await runSweeps(db, settings, at(t0, 29));
    expect(await statusOf('grace', 'gone@example.com')).toEqual(['suspended']);
    // The source asserts "back" again (what the reconciler writes).
    await db.query(`update memberships m set status = 'active', suspended_at = null from people p where p.id = m.person_id and p.email = 'back@example.com'`);
    await runSweeps(db, settings, at(t0, 31));
    await runSweeps(db, settings, at(t0, 32));
    expect(await statusOf('grace', 'gone@example.com')).toEqual(['removed']);
    expect(await statusOf('grace', 'back@example.com')).toEqual(['active']);
    expect((await events('grace')).map((e) => `${e.type} ${e.email} ${e.status}`)).toEqual(['membership.removed gone@example.com removed']);
  });

  it('removes the grants of people without activity for the inactivity period', async () => {
    const t0 = new Date('2028-01-01T00:00:00Z');
    clock.now = t0;
    const idle = await addMember(ctx(), SYSTEM, 'inactive', { email: 'idle@example.com', role: 'editor' });
    const busy = await addMember(ctx(), SYSTEM, 'inactive', { email: 'busy@example.com', role: 'editor' });
    await db.query('update people set last_active_at = $2 where id = $1', [idle.personId, at(t0, 10)]);
    await db.query('update people set last_active_at = $2 where id = $1', [busy.personId, at(t0, 100)]);
    await runSweeps(db, settings, at(t0, 189));
    expect(await statusOf('inactive', 'idle@example.com')).toEqual(['active']);
    await runSweeps(db, settings, at(t0, 191));
    await runSweeps(db, settings, at(t0, 192));
    expect(await statusOf('inactive', 'idle@example.com')).toEqual(['removed']);
    expect(await statusOf('inactive', 'busy@example.com')).toEqual(['active']);
    expect((await events('inactive')).filter((e) => e.type === 'membership.removed').map((e) => e.email)).toEqual(['idle@example.com']);
  });

  it('two workers sweeping at once change every due grant once: no duplicate events', async () => {
    const t0 = new Date('2030-01-01T00:00:00Z');
    await db.query(
      `insert into people (email, kind, last_active_at) select 'crowd' || i || '@partner.example.org', 'external', $1 from generate_series(1, 400) i`,
      [at(t0, 80)],
    );
    await db.query(
      `insert into memberships (person_id, workspace_id, origin, role, status, valid_from, valid_until)
       select id, 'crowd', 'manual', 'viewer', 'active', $1, $2 from people where email like 'crowd%'`,
      [t0, at(t0, 90)],
    );
    // A second "worker": its own connections (PostgreSQL); PGlite has one connection and serialises them.
    const other = kind === 'postgres' ? createPostgresDb({ connectionString: store.url as string, max: 4 }) : db;
    try {
      const sweeps = [db, other, db, other].map((d) => runSweeps(d, settings, at(t0, 80)));
      await Promise.all(sweeps);
      const expiring = (await events('crowd')).filter((e) => e.type === 'membership.expiring');
      expect(expiring).toHaveLength(400);
      expect(new Set(expiring.map((e) => e.email)).size).toBe(400);
      await Promise.all([db, other, db, other].map((d) => runSweeps(d, settings, at(t0, 91))));
      const expired = (await events('crowd')).filter((e) => e.type === 'membership.expired');
      expect(expired).toHaveLength(400);
      expect(new Set(expired.map((e) => e.email)).size).toBe(400);
    } finally {
      if (other !== db) await other.close();
    }
  });

  it('runs one sweep at a time under a lease', async () => {
    const held = await withLease(db, { name: 'lifecycle-sweep', holder: 'someone-else', ttlMs: 60_000 }, () =>
      runSweepsOnce(db, settings, new Date('2031-01-01T00:00:00Z'), 'me'),
    );
    expect(held).toBeUndefined();
    expect(await runSweepsOnce(db, settings, new Date('2031-01-01T00:00:00Z'), 'me')).toEqual(expect.objectContaining({ expired: expect.any(Number) }));
  });
});
