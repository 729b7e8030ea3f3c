/**
 * Explain access (`GET /people/{id}/access`): a person with rule grants from two sources and a
 * manual grant, each with its evidence; a grant suspended by a sync run, explained by that run and
 * what the directory stopped saying; the role matrix decides who may read it. Real stores; the
 * directory is an in-memory connector run by the real sync engine, reconciled by the real reconciler.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessExplanation } from '../../src/explain/explain-access.js';
import { Ingest } from '../../src/ingest/ingest.js';
import type { PersonChange } from '../../src/ingest/records.js';
import { reconcileContext } from '../../src/reconcile/context.js';
import { reconcilePeople } from '../../src/reconcile/reconcile-people.js';
import type { Connector, ConnectorPage } from '../../src/connector/connector.js';
import { runSync } from '../../src/sync/run-sync.js';
import { explainCommand } from '../../src/cli/explain-command.js';
import { startAdminApp, SYSTEM, type AdminApp } from '../helpers/admin-app.js';
import { group, user } from '../helpers/data.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';

const CONFIG = {
  organization: { internalDomains: ['example.com'] },
  sources: [{ id: 'hr', kind: 'scim' }, { id: 'corp', kind: 'csv' }],
  workspaces: [
    { id: 'analytics', name: 'Analytics', roles: { admin: [{ source: 'corp', group: 'Leads' }], editor: [{ source: 'hr', group: 'Analysts' }] } },
    { id: 'sales', name: 'Sales', roles: { viewer: [{ source: 'hr', group: 'Nobody' }, { source: 'corp', group: 'Everyone' }] } },
    { id: 'other', name: 'Other' },
  ],
};

/** The corp directory: alice in Leads, and in Everyone while `everyone` says so. */
function directory(everyone: boolean): Connector {
  return {
    kind: 'ldap',
    async *full(): AsyncGenerator<ConnectorPage> {
      yield { users: [{ externalId: 'corp-alice', userName: 'alice', email: 'alice@example.com', active: true }] };
      yield {
        groups: [
          { externalId: 'g-leads', displayName: 'Leads', memberExternalIds: ['corp-alice'] },
          { externalId: 'g-everyone', displayName: 'Everyone', memberExternalIds: everyone ? ['corp-alice'] : [] },
        ],
        cursor: 'c',
      };
    },
  };
}

function sink(): Writable & { text: string } {
  const s = new Writable({ write(chunk, _e, cb) { s.text += String(chunk); cb(); } }) as Writable & { text: string };
  s.text = '';
  return s;
}

describe.each(STORE_KINDS)('explain access (%s)', (kind) => {
  let store: TestStore;
  let app: AdminApp;
  let published: PersonChange[] = [];
  let ingest: Ingest;
  let aliceId: string;
  let secondRun: string;

  const reconcile = async () => {
    const changes = published;
    published = [];
    await reconcilePeople(reconcileContext(store.db, app.config, () => app.clock.now), changes);
  };
  const sync = async (everyone: boolean): Promise<string> => {
    const runId = randomUUID();
    await store.db.query(`insert into sync_runs (id, source_id, mode, status, started_at) values ($1, 'corp', 'full', 'running', now())`, [runId]);
    const outcome = await runSync({ db: store.db, ingest, connector: directory(everyone), source: { id: 'corp', maxDeletes: 10 }, runId, mode: 'full', cursor: undefined });
    expect(outcome.error).toBeUndefined();
    await store.db.query(`update sync_runs set status = 'succeeded', finished_at = now() where id = $1`, [runId]);
    await reconcile();
    return runId;
  };
  const explain = (personId: string, options: { token?: string; workspace?: string } = {}) =>
    app.call<AccessExplanation>('GET', `/people/${personId}/access${options.workspace ? `?workspace=${options.workspace}` : ''}`, options.token ? { token: options.token } : {});

  beforeAll(async () => {
    store = await openTestStore(kind);
    app = await startAdminApp(store.db, CONFIG);
    ingest = new Ingest({ db: store.db, changes: { publish: async (c) => void published.push(...c) } });
    // An admin gave alice editor by hand (before any rule did: a hand grant is refused over a rule grant);
    // hr pushes her in Analysts (SCIM); corp's directory has her in Leads and Everyone.
    expect((await app.call('POST', '/workspaces/analytics/members', { body: { email: 'alice@example.com', role: 'editor' } })).status).toBe(201);
    const alice = user('hr', 'alice', { userName: 'alice.hr' });
    await ingest.writeUsers('hr', [alice]);
    await ingest.writeGroups('hr', [group('hr', 'Analysts', [alice.id])]);
    await reconcile();
    await sync(true);
    secondRun = await sync(false);
    const person = await app.call<{ people: Array<{ id: string }> }>('GET', '/people?email=alice@example.com');
    aliceId = person.body.people[0]?.id as string;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('gives the effective role and every grant behind it: the rule grant with the evidence from both sources, and the manual grant', async () => {
    const res = await explain(aliceId);
    expect(res.status, res.text).toBe(200);
    expect(res.body.person).toEqual({ id: aliceId, email: 'alice@example.com' });
    const analytics = res.body.workspaces.find((w) => w.workspace === 'analytics');
    expect(analytics).toMatchObject({ role: 'admin', origin: 'rules' });
    expect(analytics?.pending).toBeUndefined();
    const byOrigin = new Map(analytics?.grants.map((g) => [g.origin, g]));
    const rules = byOrigin.get('rules');
    expect(rules).toMatchObject({ role: 'admin', status: 'active', effective: true, sourceId: 'corp', rule: 'admin: corp/Leads', validUntil: null });
    // The match that gives the role first, then every other one: account, rule and position, what matched.
    expect(rules?.evidence).toEqual([
      {
        account: { sourceId: 'corp', accountId: expect.any(String), userName: 'alice' },
        rule: { role: 'admin', index: 0, source: 'corp', text: 'admin: corp/Leads' },
        matched: expect.objectContaining({ kind: 'group', displayName: 'Leads' }),
      },
      {
        account: { sourceId: 'hr', accountId: user('hr', 'alice').id, userName: 'alice.hr' },
        rule: { role: 'editor', index: 0, source: 'hr', text: 'editor: hr/Analysts' },
        matched: expect.objectContaining({ kind: 'group', displayName: 'Analysts' }),
      },
    ]);
    // The explanation agrees with the grant: its first evidence is the grant's rule.
    expect(rules?.evidence?.[0]?.rule.text).toBe(rules?.rule);
    expect(byOrigin.get('manual')).toMatchObject({ role: 'editor', status: 'active', effective: false, grantedBy: 'system' });
    expect(byOrigin.get('manual')?.evidence).toBeUndefined();
  });

  it('explains a suspended grant by the sync run that caused it and what the directory stopped saying', async () => {
    const res = await explain(aliceId, { workspace: 'sales' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.workspaces.map((w) => w.workspace)).toEqual(['sales']);
    const sales = res.body.workspaces[0];
    expect(sales).toMatchObject({ role: null, origin: null });
    expect(sales?.grants).toHaveLength(1);
    const grant = sales?.grants[0];
    expect(grant).toMatchObject({ origin: 'rules', role: 'viewer', status: 'suspended', evidence: [] });
    expect(grant?.ended).toMatchObject({
      action: 'membership.suspended',
      actor: 'source:corp',
      by: { kind: 'sync', sourceId: 'corp', runId: secondRun, change: 'removed from group Everyone' },
      run: { id: secondRun, mode: 'full', status: 'succeeded' },
      rule: 'viewer: corp/Everyone',
    });
    expect(grant?.history.map((h) => [h.action, h.status])).toEqual([['membership.granted', 'active'], ['membership.suspended', 'suspended']]);
  });

  it('idsync explain <email> prints it: the grants, the evidence, the run that ended one', async () => {
    const out = sink();
    const err = sink();
    expect(await explainCommand({ url: app.url, token: SYSTEM }, 'Alice@Example.com', {}, out, err)).toBe(0);
    expect(err.text).toBe('');
    expect(out.text).toContain('analytics: admin (from the rules grant)');
    expect(out.text).toMatch(/because: corp account alice \(.+\) is member of group "Leads" → rule admin\[0\] admin: corp\/Leads/);
    expect(out.text).toMatch(/also: hr account alice\.hr \(.+\) is member of group "Analysts" → rule editor\[0\] editor: hr\/Analysts/);
    expect(out.text).toContain('sales: no access');
    expect(out.text).toContain(`by sync run ${secondRun} of corp (full, succeeded,`);
    expect(out.text).toContain(': removed from group Everyone');
    expect(out.text).toContain('the rule that had matched: viewer: corp/Everyone');
    const missing = sink();
    expect(await explainCommand({ url: app.url, token: SYSTEM }, 'nobody@example.com', {}, sink(), missing)).toBe(1);
    expect(missing.text).toContain('no person with e-mail nobody@example.com');
  });

  it('is readable by a member of the workspace, not by a member of another workspace', async () => {
    const viewer = await app.tokenFor('viewer@example.com');
    expect((await app.call('POST', '/workspaces/analytics/members', { body: { email: 'viewer@example.com', role: 'viewer' } })).status).toBe(201);
    const seen = await explain(aliceId, { token: viewer });
    expect(seen.status, seen.text).toBe(200);
    // Sales is not theirs to see.
    expect(seen.body.workspaces.map((w) => w.workspace)).toEqual(['analytics']);

    const outsider = await app.tokenFor('outsider@example.com');
    expect((await app.call('POST', '/workspaces/other/members', { body: { email: 'outsider@example.com', role: 'admin' } })).status).toBe(201);
    const hidden = await explain(aliceId, { token: outsider });
    expect(hidden.status, hidden.text).toBe(404);
    const forbidden = await explain(aliceId, { token: outsider, workspace: 'analytics' });
    expect(forbidden.status, forbidden.text).toBe(403);
    expect(forbidden.body).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('says what the next reconcile will do when observed state has changed but is not reconciled yet', async () => {
    // alice leaves Leads in the directory; the change is written but not reconciled.
    const runId = randomUUID();
    await store.db.query(`insert into sync_runs (id, source_id, mode, status) values ($1, 'corp', 'full', 'running')`, [runId]);
    const noLeads: Connector = {
      kind: 'ldap',
      async *full(): AsyncGenerator<ConnectorPage> {
        yield { users: [{ externalId: 'corp-alice', userName: 'alice', email: 'alice@example.com', active: true }] };
        yield { groups: [{ externalId: 'g-leads', displayName: 'Leads', memberExternalIds: [] }, { externalId: 'g-everyone', displayName: 'Everyone', memberExternalIds: [] }], cursor: 'c' };
      },
    };
    await runSync({ db: store.db, ingest, connector: noLeads, source: { id: 'corp', maxDeletes: 10 }, runId, mode: 'full', cursor: undefined });
    const before = await explain(aliceId, { workspace: 'analytics' });
    expect(before.body.workspaces[0]).toMatchObject({ role: 'admin', pending: { role: 'editor', rule: 'editor: hr/Analysts' } });
    await reconcile();
    const after = await explain(aliceId, { workspace: 'analytics' });
    expect(after.body.workspaces[0]).toMatchObject({ role: 'editor' });
    expect(after.body.workspaces[0]?.pending).toBeUndefined();
    const rules = after.body.workspaces[0]?.grants.find((g) => g.origin === 'rules');
    expect(rules).toMatchObject({ role: 'editor', rule: 'editor: hr/Analysts' });
    expect(rules?.evidence?.[0]?.rule.text).toBe(rules?.rule);
  });

  it('answers 404 for an unknown person or workspace', async () => {
    expect((await explain(randomUUID())).status).toBe(404);
    expect((await explain('not-a-uuid')).status).toBe(404);
    expect((await explain(aliceId, { workspace: 'nope' })).status).toBe(404);
  });
});
