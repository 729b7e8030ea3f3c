/**
 * Rules preview (`POST /rules/preview`): a candidate that promotes a group, removes a rule and adds a
 * workspace. What the preview says equals what the daemon then does when it runs with that config
 * (config applied, everyone reconciled), and the preview writes nothing. Real stores.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rulesPreviewCommand } from '../../src/cli/rules-preview-command.js';
import { parseConfig } from '../../src/config/load.js';
import type { RulesPreview } from '../../src/explain/preview-rules.js';
import { Ingest } from '../../src/ingest/ingest.js';
import type { PersonChange } from '../../src/ingest/records.js';
import { reconcileContext } from '../../src/reconcile/context.js';
import { reconcilePeople } from '../../src/reconcile/reconcile-people.js';
import type { Queryable } from '../../src/store/db.js';
import { registerConfig } from '../../src/store/registry.js';
import { startAdminApp, SYSTEM, type AdminApp } from '../helpers/admin-app.js';
import { group, user } from '../helpers/data.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';

const RUNNING = {
  organization: { internalDomains: ['example.com'] },
  sources: [{ id: 'hr', kind: 'scim' }],
  workspaces: [
    { id: 'analytics', name: 'Analytics', roles: { admin: [{ source: 'hr', group: 'Leads' }], editor: [{ source: 'hr', group: 'Analysts' }], viewer: [{ source: 'hr', group: 'Everyone' }] } },
    { id: 'sales', name: 'Sales', roles: { viewer: [{ source: 'hr', group: 'Sales' }] } },
  ],
  lifecycle: { externalValidity: 'P90D' },
};

/** Analysts promoted to admin, the Sales rule removed, a new workspace for everyone, a shorter validity for externals. */
const CANDIDATE = `
workspaces:
  - id: analytics
    name: Analytics
    roles:
      admin: [{ source: hr, group: Leads }, { source: hr, group: analysts }]
      viewer: [{ source: hr, group: Everyone }]
  - id: sales
    name: Sales
  - id: support
    name: Support
    roles:
      viewer: [{ source: "*", group: Everyone }]
lifecycle:
  externalValidity: P30D
`;

function sink(): Writable & { text: string } {
  const s = new Writable({ write(chunk, _e, cb) { s.text += String(chunk); cb(); } }) as Writable & { text: string };
  s.text = '';
  return s;
}

/** Every table a preview could touch, as a checksum of its rows. */
const TABLES = ['people', 'person_links', 'memberships', 'audit_log', 'outbox', 'workspaces', 'sources', 'source_users', 'source_groups', 'source_group_members', 'sync_runs', 'pending_changes'];
async function checksums(q: Queryable): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const r = await q.query<{ n: number; sum: string | null }>(`select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as sum from ${t} t`);
    out[t] = `${r.rows[0]?.n}:${r.rows[0]?.sum}`;
  }
  return out;
}

describe.each(STORE_KINDS)('rules preview (%s)', (kind) => {
  let store: TestStore;
  let app: AdminApp;
  const emails: string[] = [];

  beforeAll(async () => {
    store = await openTestStore(kind);
    app = await startAdminApp(store.db, RUNNING);
    const published: PersonChange[] = [];
    const ingest = new Ingest({ db: store.db, changes: { publish: async (c) => void published.push(...c) } });
    // lead: Leads+Everyone; analyst (x2, one external): Analysts+Everyone; member: Everyone; seller: Sales; gone: Sales, deactivated.
    const people = {
      lead: user('hr', 'lead'),
      analyst: user('hr', 'analyst'),
      contractor: user('hr', 'contractor', { email: 'contractor@partner.test', userName: 'contractor@partner.test' }),
      member: user('hr', 'member'),
      seller: user('hr', 'seller'),
      gone: user('hr', 'gone'),
    };
    const all = Object.values(people);
    await ingest.writeUsers('hr', all);
    await ingest.writeGroups('hr', [
      group('hr', 'Leads', [people.lead.id]),
      group('hr', 'Analysts', [people.analyst.id, people.contractor.id]),
      group('hr', 'Everyone', all.map((u) => u.id)),
      group('hr', 'Sales', [people.seller.id, people.gone.id]),
    ]);
    const ctx = reconcileContext(store.db, app.config, () => app.clock.now);
    await reconcilePeople(ctx, published.splice(0));
    // gone leaves: suspended everywhere already, so the candidate changes nothing for them.
    await ingest.writeUsers('hr', [{ ...people.gone, active: false }]);
    await reconcilePeople(ctx, published.splice(0));
    emails.push(...all.map((u) => u.email as string));
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('equals what the daemon then does with that config, and writes nothing itself', async () => {
    const before = await checksums(store.db);
    const auditBefore = (await store.db.query<{ id: string }>('select coalesce(max(id), 0)::text as id from audit_log')).rows[0]?.id;
    const res = await app.call<RulesPreview>('POST', '/rules/preview', { body: CANDIDATE, contentType: 'application/yaml' });
    expect(res.status, res.text).toBe(200);
    expect(await checksums(store.db)).toEqual(before);

    const p = res.body;
    expect(p.people).toBe(6);
    // Promoted: both analysts editor → admin; Sales rule gone: seller suspended; support: the five active people
    // granted; lead, member and seller stay viewers or admin of analytics; gone (deactivated) holds nothing active.
    expect(p.totals).toEqual({ granted: 5, roleChanged: 2, suspended: 1, unchanged: 3 });
    expect(p.workspaces['analytics']).toEqual({ granted: 0, roleChanged: 2, suspended: 0, unchanged: 3 });
    expect(p.workspaces['sales']).toEqual({ granted: 0, roleChanged: 0, suspended: 1, unchanged: 0 });
    expect(p.workspaces['support']).toEqual({ granted: 5, roleChanged: 0, suspended: 0, unchanged: 0 });
    expect(p.changes.find((c) => c.email === 'analyst@example.com' && c.workspace === 'analytics')).toMatchObject({
      outcome: 'role_changed', role: 'admin', previousRole: 'editor', rule: 'admin: hr/analysts',
    });
    expect(p.changes.find((c) => c.email === 'contractor@partner.test' && c.workspace === 'support')).toMatchObject({
      outcome: 'granted', role: 'viewer', validUntil: new Date(app.clock.now.getTime() + 30 * 86_400_000).toISOString(),
    });
    expect(p.unchanged).toBeUndefined();

    // The daemon restarted with the candidate: its workspaces registered, everyone reconciled.
    const candidate = parseConfig({ ...RUNNING, ...(await import('yaml')).parse(CANDIDATE) });
    await registerConfig(store.db, candidate);
    await reconcilePeople(
      reconcileContext(store.db, candidate, () => app.clock.now),
      emails.map((key) => ({ key, sourceId: 'hr', cause: 'config changed' })),
    );
    const done = await store.db.query<{ email: string; workspace_id: string; action: string; before: { role: string; status: string } | null; after: { role: string; validUntil: string | null; rule: string } }>(
      `select lower(p.email) as email, a.workspace_id, a.action, a.before, a.after from audit_log a join people p on p.id = a.person_id
        where a.id > $1 and a.action like 'membership.%' order by 1, 2`,
      [auditBefore],
    );
    const OUTCOME: Record<string, string> = { 'membership.granted': 'granted', 'membership.role_changed': 'role_changed', 'membership.suspended': 'suspended' };
    const happened = done.rows.map((r) => ({
      email: r.email, workspace: r.workspace_id, outcome: OUTCOME[r.action], role: r.after.role,
      previousRole: r.action === 'membership.role_changed' ? r.before?.role : undefined, validUntil: r.after.validUntil, rule: r.after.rule,
    }));
    const predicted = p.changes.map((c) => ({ email: c.email, workspace: c.workspace, outcome: c.outcome, role: c.role, previousRole: c.previousRole, validUntil: c.validUntil, rule: c.rule }));
    expect(happened).toEqual(predicted);

    // Run again now: nothing left to change, everything stays.
    const again = await app.call<RulesPreview>('POST', '/rules/preview?unchanged=true', { body: CANDIDATE, contentType: 'application/yaml' });
    expect(again.body.totals).toEqual({ granted: 0, roleChanged: 0, suspended: 0, unchanged: 10 });
    expect(again.body.unchanged).toHaveLength(10);
  });

  it('takes JSON too, and names each problem of a candidate by its path, as at start-up', async () => {
    const json = await app.call<RulesPreview>('POST', '/rules/preview', { body: { workspaces: RUNNING.workspaces } });
    expect(json.status, json.text).toBe(200);

    const bad = await app.call<{ error: { code: string; problems: string[] } }>('POST', '/rules/preview', {
      body: 'workspaces:\n  - id: analytics\n    name: A\n    roles:\n      admin: [{ source: nope, group: x }]\n      owner: []\n',
      contentType: 'application/yaml',
    });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.body.error.code).toBe('invalid_config');
    expect(bad.body.error.problems).toEqual(expect.arrayContaining([
      'workspaces[0].roles: unknown option "owner"',
    ]));
    const unknownSource = await app.call<{ error: { problems: string[] } }>('POST', '/rules/preview', {
      body: 'workspaces:\n  - id: analytics\n    name: A\n    roles:\n      admin: [{ source: nope, group: x }]\n', contentType: 'application/yaml',
    });
    expect(unknownSource.body.error.problems).toEqual(['workspaces[0].roles.admin[0].source: unknown source "nope"']);
    for (const body of ['lifecycle: {}\n', 'workspaces: [\n', '- just a list\n']) {
      const r = await app.call<{ error: { code: string } }>('POST', '/rules/preview', { body, contentType: 'application/yaml' });
      expect(r.status, body).toBe(400);
      expect(r.body.error.code).toBe('invalid_config');
    }
  });

  it('idsync rules preview <config.yaml> prints totals and changes, and a broken file\'s problems with exit code 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idsync-preview-'));
    try {
      const file = join(dir, 'config.yaml');
      await writeFile(file, `sources: [{ id: hr, kind: scim }]\nworkspaces:\n  - id: sales\n    name: Sales\n    roles:\n      admin: [{ source: hr, group: Sales }]\n`);
      const out = sink();
      expect(await rulesPreviewCommand({ url: app.url, token: SYSTEM }, file, {}, out, sink())).toBe(0);
      expect(out.text).toMatch(/^6 people read: \d+ would be granted, \d+ would change role, \d+ would be suspended, \d+ stay\n/);
      expect(out.text).toMatch(/change role +seller@example\.com +sales +viewer → admin|grant +seller@example\.com +sales +admin/);
      await writeFile(file, 'workspaces:\n  - id: sales\n    name: Sales\n    roles:\n      admin: [{ source: nope, group: Sales }]\n');
      const err = sink();
      expect(await rulesPreviewCommand({ url: app.url, token: SYSTEM }, file, {}, sink(), err)).toBe(2);
      expect(err.text).toBe(`idsync: invalid rules in ${file}:\n  - workspaces[0].roles.admin[0].source: unknown source "nope"\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('needs the system token', async () => {
    const token = await app.tokenFor('lead@example.com');
    const r = await app.call<{ error: { code: string } }>('POST', '/rules/preview', { token, body: CANDIDATE, contentType: 'application/yaml' });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
  });
});
