import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { registerConfig } from '../../src/store/registry.js';
import { sourceFacts, touchSourceActivity } from '../../src/store/runs/source-activity.js';
import { sourcesHealth } from '../../src/sync/sources-health.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';

const config = parseConfig({
  sources: [
    { id: 'ldap-ok', kind: 'ldap', url: 'ldap://127.0.0.1:1', users: { baseDn: 'dc=x' }, schedule: { delta: '5m', full: '0 3 * * *' } },
    { id: 'ldap-failing', kind: 'ldap', url: 'ldap://127.0.0.1:1', users: { baseDn: 'dc=x' }, schedule: { delta: '5m' } },
    { id: 'ldap-blocked', kind: 'ldap', url: 'ldap://127.0.0.1:1', users: { baseDn: 'dc=x' } },
    { id: 'ldap-stale', kind: 'ldap', url: 'ldap://127.0.0.1:1', users: { baseDn: 'dc=x' }, schedule: { delta: '5m' } },
    { id: 'ldap-manual', kind: 'ldap', url: 'ldap://127.0.0.1:1', users: { baseDn: 'dc=x' } },
    { id: 'scim-busy', kind: 'scim', expectActivityWithin: 'PT1H' },
    { id: 'scim-silent', kind: 'scim', expectActivityWithin: 'PT1H' },
    { id: 'scim-quiet', kind: 'scim' },
  ],
});

/** A finished run `minutesAgo` minutes ago (created a minute before it finished). */
type Run = [status: 'succeeded' | 'failed' | 'blocked', minutesAgo: number, options?: { dryRun?: boolean; error?: string }];

describe.each(STORE_KINDS)('source health from stored runs and requests (%s)', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(kind);
    await registerConfig(store.db, config);
    await store.db.query(`update sources set created_at = now() - interval '30 days'`);
    const runs: Record<string, Run[]> = {
      'ldap-ok': [['failed', 30, { error: 'old failure' }], ['succeeded', 20], ['succeeded', 4], ['blocked', 1, { dryRun: true, error: 'a dry run' }]],
      'ldap-failing': [['succeeded', 40], ['failed', 12, { error: 'first' }], ['failed', 7, { error: 'second' }], ['failed', 2, { error: 'source "ldap-failing": connect ECONNREFUSED' }]],
      'ldap-blocked': [['succeeded', 600], ['blocked', 5, { error: 'would delete 80 of 100 users' }]],
      // A dry run applies nothing: its success does not make the source fresh.
      'ldap-stale': [['succeeded', 11], ['succeeded', 1, { dryRun: true }]],
    };
    for (const [source, list] of Object.entries(runs)) {
      for (const [status, minutesAgo, options] of list) {
        await store.db.query(
          `insert into sync_runs (source_id, mode, status, dry_run, error, created_at, started_at, finished_at)
           values ($1, 'full', $2, $3, $4, now() - make_interval(mins => $5 + 1), now() - make_interval(mins => $5 + 1), now() - make_interval(mins => $5))`,
          [source, status, options?.dryRun ?? false, options?.error ?? null, minutesAgo],
        );
      }
    }
    // A run in progress says nothing yet.
    await store.db.query(`insert into sync_runs (source_id, mode, status, started_at) values ('ldap-failing', 'delta', 'running', now())`);
    await touchSourceActivity(store.db, 'scim-busy', new Date(Date.now() - 10 * 60_000));
    await touchSourceActivity(store.db, 'scim-silent', new Date(Date.now() - 3 * 3600_000));
  }, 60_000);
  afterAll(async () => {
    await store?.close();
  });

  it('gives each source its state, reason and since when', async () => {
    const now = new Date();
    const reports = new Map((await sourcesHealth(store.db, config, now)).map((r) => [r.id, r]));
    const state = (id: string) => reports.get(id)?.health.state;
    expect(Object.fromEntries(config.sources.map((s) => [s.id, state(s.id)]))).toEqual({
      'ldap-ok': 'ok',
      'ldap-failing': 'failing',
      'ldap-blocked': 'blocked',
      'ldap-stale': 'stale',
      'ldap-manual': 'ok',
      'scim-busy': 'ok',
      'scim-silent': 'stale',
      'scim-quiet': 'ok',
    });

    const failing = reports.get('ldap-failing');
    expect(failing?.consecutiveFailures).toBe(3);
    expect(failing?.health.reason).toBe('the last 3 runs failed: source "ldap-failing": connect ECONNREFUSED');
    // Since the first failure of the streak, 12 minutes ago.
    expect(Math.round((now.getTime() - (failing?.health.since?.getTime() ?? 0)) / 60_000)).toBe(12);

    // The dry run that was blocked after its last success does not count.
    expect(reports.get('ldap-ok')?.consecutiveFailures).toBe(0);
    expect(Math.round((now.getTime() - (reports.get('ldap-ok')?.lastSuccessAt?.getTime() ?? 0)) / 60_000)).toBe(4);

    expect(reports.get('ldap-blocked')?.health.reason).toBe('the last run was blocked: would delete 80 of 100 users');
    // Eleven minutes since its success, twice five allowed: stale for a minute.
    expect(Math.round((now.getTime() - (reports.get('ldap-stale')?.health.since?.getTime() ?? 0)) / 60_000)).toBe(1);
    expect(reports.get('scim-silent')?.health.reason).toMatch(/^no request since .*; expectActivityWithin is 60 min$/);
  });

  it('a source activity time only moves forward', async () => {
    const latest = (await sourceFacts(store.db)).get('scim-busy')?.lastActivityAt;
    await touchSourceActivity(store.db, 'scim-busy', new Date(Date.now() - 50 * 60_000));
    expect((await sourceFacts(store.db)).get('scim-busy')?.lastActivityAt).toEqual(latest);
  });
});
