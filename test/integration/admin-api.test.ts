import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_ACTIONS, type PolicyAction } from '../../src/domain/role-policy.js';
import { ROLES, type Role } from '../../src/domain/roles.js';
import { runSweeps } from '../../src/lifecycle/run-sweeps.js';
import { lifecycleSettings } from '../../src/lifecycle/settings.js';
import { startAdminApp, type AdminApp } from '../helpers/admin-app.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';
import { EXPECTED_MATRIX } from '../helpers/role-matrix.js';

type Member = { personId: string; email: string; role: string; status: string; origin: string; validUntil: string | null };
type ErrorBody = { error: { code: string; message: string; lines?: Array<{ line: number; field?: string; message: string }> } };
const DAY = 86_400_000;

const CONFIG = {
  organization: { internalDomains: ['example.com'] },
  sources: [{ id: 'hr', kind: 'scim' }],
  workspaces: [{ id: 'cfg', name: 'Configured', roles: { admin: [{ source: 'hr', group: 'leads' }] } }],
  lifecycle: { externalValidity: 'P90D', maxExtension: 'P180D', inviteValidity: 'P14D' },
};

describe.each(STORE_KINDS)('admin API on %s', (kind) => {
  let store: TestStore;
  let app: AdminApp;
  let seq = 0;
  const actorTokens = new Map<Role, string>();

  beforeAll(async () => {
    store = await openTestStore(kind);
    app = await startAdminApp(store.db, CONFIG);
    for (const role of ROLES) actorTokens.set(role, await app.tokenFor(`actor-${role}@example.com`));
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  async function workspace(): Promise<string> {
    const id = `w${++seq}`;
    expect((await app.call('POST', '/workspaces', { body: { id, name: `Workspace ${id}` } })).status).toBe(201);
    return id;
  }
  async function add(ws: string, email: string, role: Role, token?: string): Promise<Member> {
    const res = await app.call<{ member: Member }>('POST', `/workspaces/${ws}/members`, { body: { email, role }, ...(token ? { token } : {}) });
    expect(res.status, res.text).toBe(201);
    return res.body.member;
  }

  describe('the role matrix, every action × actor role × target role, through the API', () => {
    const cases = POLICY_ACTIONS.flatMap((action) => ROLES.flatMap((actor) => ROLES.map((target) => ({ action, actor, target, allowed: EXPECTED_MATRIX[action][actor].includes(target) }))));

    /** Does `action` as `actor` to a member (or invite) with `target` role; returns the HTTP status and body. */
    async function attempt(action: PolicyAction, actor: Role, target: Role): Promise<{ status: number; text: string }> {
      const ws = await workspace();
      await add(ws, `actor-${actor}@example.com`, actor);
      await add(ws, 'anchor@example.com', 'admin');
      const token = actorTokens.get(actor) as string;
      const n = ++seq;
      switch (action) {
        case 'view':
          return app.call('GET', `/workspaces/${ws}/members`, { token });
        case 'invite':
          return app.call('POST', `/workspaces/${ws}/invites`, { token, body: { email: `inv${n}@example.com`, role: target } });
        case 'revoke-invite': {
          const inv = await app.call<{ invite: { id: string } }>('POST', `/workspaces/${ws}/invites`, { body: { email: `inv${n}@example.com`, role: target } });
          return app.call('DELETE', `/workspaces/${ws}/invites/${inv.body.invite.id}`, { token });
        }
        case 'assign-role':
          return app.call('POST', `/workspaces/${ws}/members`, { token, body: { email: `new${n}@example.com`, role: target } });
        case 'change-role': {
          const m = await add(ws, `t${n}@example.com`, target);
          // A new role the actor may assign, so that only the member's current role decides.
          const to: Role = target === 'viewer' ? 'editor' : 'viewer';
          return app.call('PATCH', `/workspaces/${ws}/members/${m.personId}`, { token, body: { role: to } });
        }
        case 'remove-member': {
          const m = await add(ws, `t${n}@example.com`, target);
          return app.call('DELETE', `/workspaces/${ws}/members/${m.personId}`, { token });
        }
        case 'extend': {
          const m = await add(ws, `t${n}@example.com`, target);
          return app.call('POST', `/workspaces/${ws}/members/${m.personId}/extend`, { token, body: { validUntil: new Date(app.clock.now.getTime() + 30 * DAY).toISOString() } });
        }
        case 'manage-workspace':
          return app.call('PATCH', `/workspaces/${ws}`, { token, body: { name: `Renamed by ${actor}` } });
      }
    }

    it.each(cases)('$actor → $action on $target: allowed=$allowed', async ({ action, actor, target, allowed }) => {
      const res = await attempt(action, actor, target);
      if (allowed) expect(res.status, res.text).toBeLessThan(300);
      else {
        expect(res.status, res.text).toBe(403);
        expect((JSON.parse(res.text) as ErrorBody).error.message).toMatch(/denied by rule "[a-z-]+"/);
      }
    });

    it('denies a person who is not a member of the workspace, naming the rule', async () => {
      const ws = await workspace();
      const outsider = await app.tokenFor('outsider@example.com');
      const res = await app.call<ErrorBody>('GET', `/workspaces/${ws}/members`, { token: outsider });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('members-only');
      expect((await app.call<{ workspaces: unknown[] }>('GET', '/workspaces', { token: outsider })).body.workspaces).toEqual([]);
    });
  });

  it('never removes or demotes the last admin of a workspace', async () => {
    const ws = await workspace();
    const a = await add(ws, 'solo-admin@example.com', 'admin');
    const v = await add(ws, 'some-viewer@example.com', 'viewer');
    const demote = await app.call<ErrorBody>('PATCH', `/workspaces/${ws}/members/${a.personId}`, { body: { role: 'editor' } });
    expect(demote.status).toBe(409);
    expect(demote.body.error.code).toBe('last_admin');
    expect((await app.call<ErrorBody>('DELETE', `/workspaces/${ws}/members/${a.personId}`)).body.error.code).toBe('last_admin');
    // Once there is a second admin the first may go; then the second is the last one.
    await app.call('PATCH', `/workspaces/${ws}/members/${v.personId}`, { body: { role: 'admin' } });
    expect((await app.call('DELETE', `/workspaces/${ws}/members/${a.personId}`)).status).toBe(204);
    expect((await app.call('PATCH', `/workspaces/${ws}/members/${v.personId}`, { body: { role: 'viewer' } })).status).toBe(409);
    // Even an admin acting on themselves.
    const token = await app.tokenFor('some-viewer@example.com');
    expect((await app.call('DELETE', `/workspaces/${ws}/members/${v.personId}`, { token })).status).toBe(409);
  });

  it('refuses hand changes to a rule-managed membership with 409 naming the source and rule', async () => {
    const person = (await store.db.query<{ id: string }>(`insert into people (email) values ('ruled@example.com') returning id`)).rows[0]!.id;
    await store.db.query(
      `insert into memberships (person_id, workspace_id, origin, role, status, source_id, rule) values ($1, 'cfg', 'rules', 'admin', 'active', 'hr', 'admin: hr/leads')`,
      [person],
    );
    for (const res of [
      await app.call<ErrorBody>('PATCH', `/workspaces/cfg/members/${person}`, { body: { role: 'viewer' } }),
      await app.call<ErrorBody>('DELETE', `/workspaces/cfg/members/${person}`),
      await app.call<ErrorBody>('POST', '/workspaces/cfg/members', { body: { email: 'ruled@example.com', role: 'editor' } }),
    ]) {
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('rule_managed');
      expect(res.body.error.message).toContain('"hr"');
      expect(res.body.error.message).toContain('admin: hr/leads');
    }
    // Validity is lifecycle, not role: an admin may extend it.
    const ext = await app.call<{ member: Member }>('POST', `/workspaces/cfg/members/${person}/extend`, { body: { validUntil: '2026-05-01T00:00:00Z' } });
    expect(ext.status).toBe(200);
    expect(ext.body.member).toMatchObject({ origin: 'rules', validUntil: '2026-05-01T00:00:00.000Z' });
    // The config's workspace is edited in the config file.
    expect((await app.call<ErrorBody>('DELETE', '/workspaces/cfg')).body.error.code).toBe('conflict');
  });

  it('extends validity only up to maxExtension from now (422 beyond), admins only', async () => {
    const ws = await workspace();
    const m = await add(ws, 'partner@partner.example.org', 'viewer');
    expect(m.validUntil).toBe(new Date(app.clock.now.getTime() + 90 * DAY).toISOString());
    const tooFar = await app.call<ErrorBody>('POST', `/workspaces/${ws}/members/${m.personId}/extend`, { body: { validUntil: new Date(app.clock.now.getTime() + 181 * DAY).toISOString() } });
    expect(tooFar.status).toBe(422);
    expect(tooFar.body.error.code).toBe('validity_too_long');
    const ok = await app.call<{ member: Member }>('POST', `/workspaces/${ws}/members/${m.personId}/extend`, { body: { validUntil: new Date(app.clock.now.getTime() + 180 * DAY).toISOString() } });
    expect(ok.status).toBe(200);
    expect(ok.body.member.validUntil).toBe(new Date(app.clock.now.getTime() + 180 * DAY).toISOString());
    const audit = await app.call<{ entries: Array<{ action: string; actor: string; before: { validUntil: string }; after: { validUntil: string }; cause: string }> }>('GET', `/audit?workspace=${ws}&person=partner@partner.example.org`);
    expect(audit.body.entries[0]).toMatchObject({ action: 'membership.extended', actor: 'system', cause: 'validity extended' });
    expect(audit.body.entries[0]?.after.validUntil).not.toBe(audit.body.entries[0]?.before.validUntil);
  });

  it('invites: create → accept → active member; revoke; expiry', async () => {
    const ws = await workspace();
    await add(ws, 'inviter@example.com', 'editor');
    const editor = await app.tokenFor('inviter@example.com');
    const created = await app.call<{ invite: { id: string; token: string; email: string; role: string; status: string; expiresAt: string } }>('POST', `/workspaces/${ws}/invites`, { token: editor, body: { email: 'Guest@Example.com', role: 'viewer' } });
    expect(created.status).toBe(201);
    expect(created.body.invite).toMatchObject({ email: 'guest@example.com', role: 'viewer', status: 'pending', expiresAt: new Date(app.clock.now.getTime() + 14 * DAY).toISOString() });
    const stored = await store.db.query<{ token_hash: string }>('select token_hash from invites where id = $1', [created.body.invite.id]);
    expect(stored.rows[0]?.token_hash).not.toContain(created.body.invite.token);
    expect(stored.rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    const pending = await app.call<{ invites: Array<{ id: string; token?: string }> }>('GET', `/workspaces/${ws}/invites`, { token: editor });
    expect(pending.body.invites.map((i) => i.id)).toEqual([created.body.invite.id]);
    expect(pending.body.invites[0]?.token).toBeUndefined();

    // Someone else's token cannot accept it; the invitee (or the system) can.
    const other = await app.tokenFor('not-the-guest@example.com');
    expect((await app.call('POST', '/invites/accept', { token: other, body: { token: created.body.invite.token } })).status).toBe(403);
    const accepted = await app.call<{ member: Member }>('POST', '/invites/accept', { body: { token: created.body.invite.token } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.member).toMatchObject({ email: 'guest@example.com', role: 'viewer', status: 'active', origin: 'invite' });
    expect((await app.call('POST', '/invites/accept', { body: { token: created.body.invite.token } })).status).toBe(409);
    expect((await app.call<{ invites: unknown[] }>('GET', `/workspaces/${ws}/invites`)).body.invites).toEqual([]);

    // Revoked: gone from the list, cannot be accepted.
    const second = await app.call<{ invite: { id: string; token: string } }>('POST', `/workspaces/${ws}/invites`, { body: { email: 'late@example.com', role: 'editor' } });
    expect((await app.call('DELETE', `/workspaces/${ws}/invites/${second.body.invite.id}`, { token: editor })).status).toBe(204);
    expect((await app.call('POST', '/invites/accept', { body: { token: second.body.invite.token } })).status).toBe(409);

    // Expired: refused with 410, and the sweep marks it expired.
    const third = await app.call<{ invite: { id: string; token: string } }>('POST', `/workspaces/${ws}/invites`, { body: { email: 'slow@example.com', role: 'viewer' } });
    app.clock.now = new Date(app.clock.now.getTime() + 15 * DAY);
    try {
      const late = await app.call<ErrorBody>('POST', '/invites/accept', { body: { token: third.body.invite.token } });
      expect(late.status).toBe(410);
      expect(late.body.error.code).toBe('invite_expired');
      const swept = await runSweeps(store.db, lifecycleSettings(app.config), app.clock.now);
      expect(swept.invitesExpired).toBeGreaterThanOrEqual(1);
      expect((await store.db.query<{ status: string }>('select status from invites where id = $1', [third.body.invite.id])).rows[0]?.status).toBe('expired');
    } finally {
      app.clock.now = new Date(app.clock.now.getTime() - 15 * DAY);
    }
  });

  describe('CSV import', () => {
    const count = async () => {
      const r = await store.db.query<{ people: number; grants: number; audit: number; outbox: number }>(
        `select (select count(*)::int from people) as people, (select count(*)::int from memberships) as grants,
                (select count(*)::int from audit_log) as audit, (select count(*)::int from outbox) as outbox`,
      );
      return r.rows[0];
    };

    it('reports every bad line (400) and writes nothing', async () => {
      const ws = await workspace();
      const before = await count();
      const csv = [
        'email,firstName,lastName,company,role,validUntil',
        'good@example.com,Good,One,,editor,',
        'not-an-email,Bad,Email,,viewer,',
        'ext@partner.example.org,No,Company,,viewer,',
        'good2@example.com,Good,Two,,owner,',
        'good3@example.com,Good,Three,,viewer,',
      ].join('\n');
      const res = await app.call<ErrorBody>('POST', `/workspaces/${ws}/imports`, { body: csv, contentType: 'text/csv' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_import');
      expect(res.body.error.lines?.map((l) => [l.line, l.field])).toEqual([[3, 'email'], [4, 'company'], [5, 'role']]);
      for (const line of [3, 4, 5]) expect(res.body.error.message).toContain(`line ${line}:`);
      expect(await count()).toEqual(before);
    });

    it('a dry run reports the changes and writes nothing; the real run applies them all', async () => {
      const ws = await workspace();
      await add(ws, 'existing@example.com', 'viewer');
      const csv = [
        'email,firstName,lastName,company,role,validUntil',
        'existing@example.com,Ex,Isting,,editor,',
        'new@example.com,New,Person,,viewer,',
        'guest@partner.example.org,Guest,Person,Partner Ltd,viewer,2026-04-30',
      ].join('\r\n');
      const before = await count();
      const dry = await app.call<{ import: { dryRun: boolean; summary: Record<string, number>; changes: Array<{ line: number; action: string; role: string }> } }>('POST', `/workspaces/${ws}/imports?dryRun=true`, { body: csv, contentType: 'text/csv' });
      expect(dry.status, dry.text).toBe(200);
      expect(dry.body.import.dryRun).toBe(true);
      expect(dry.body.import.summary).toEqual({ granted: 2, changed: 1, unchanged: 0 });
      expect(await count()).toEqual(before);

      const real = await app.call<{ import: { summary: Record<string, number> } }>('POST', `/workspaces/${ws}/imports`, { body: csv, contentType: 'text/csv' });
      expect(real.status, real.text).toBe(200);
      expect(real.body.import.summary).toEqual({ granted: 2, changed: 1, unchanged: 0 });
      const members = await app.call<{ members: Member[] }>('GET', `/workspaces/${ws}/members`);
      expect(members.body.members.map((m) => [m.email, m.role, m.validUntil])).toEqual([
        ['existing@example.com', 'editor', null],
        ['guest@partner.example.org', 'viewer', '2026-04-30T23:59:59.999Z'],
        ['new@example.com', 'viewer', null],
      ]);
      const guest = await app.call<{ people: Array<{ company: string; kind: string; givenName: string }> }>('GET', '/people?email=guest@partner.example.org');
      expect(guest.body.people[0]).toMatchObject({ company: 'Partner Ltd', kind: 'external', givenName: 'Guest' });
      // The same file again changes nothing.
      const again = await app.call<{ import: { summary: Record<string, number> } }>('POST', `/workspaces/${ws}/imports`, { body: csv, contentType: 'text/csv' });
      expect(again.body.import.summary).toEqual({ granted: 0, changed: 0, unchanged: 3 });
    });

    it('applies the role matrix per line: an editor cannot import admins', async () => {
      const ws = await workspace();
      await add(ws, 'importer@example.com', 'editor');
      const token = await app.tokenFor('importer@example.com');
      const res = await app.call<ErrorBody>('POST', `/workspaces/${ws}/imports`, { token, body: 'email,role\nboss@example.com,admin\nok@example.com,viewer\n', contentType: 'text/csv' });
      expect(res.status).toBe(400);
      expect(res.body.error.lines).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining('only-admins-assign-admin') })]);
    });
  });

  it('shows permissions as JSON and as CSV', async () => {
    const ws = await workspace();
    await add(ws, 'perm-a@example.com', 'editor');
    await add(ws, 'perm-b@example.com', 'viewer');
    const json = await app.call<{ permissions: Array<{ email: string; workspace: string; role: string; status: string; origin: string; validUntil: string | null }> }>('GET', `/permissions?workspace=${ws}`);
    expect(json.body.permissions).toEqual([
      { personId: expect.any(String), email: 'perm-a@example.com', workspace: ws, role: 'editor', status: 'active', origin: 'manual', validUntil: null },
      { personId: expect.any(String), email: 'perm-b@example.com', workspace: ws, role: 'viewer', status: 'active', origin: 'manual', validUntil: null },
    ]);
    const csv = await app.call('GET', `/permissions?workspace=${ws}`, { accept: 'text/csv' });
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('personId,email,workspace,role,status,origin,validUntil');
    expect(lines.slice(1).map((l) => l.split(',').slice(1).join(','))).toEqual([`perm-a@example.com,${ws},editor,active,manual,`, `perm-b@example.com,${ws},viewer,active,manual,`]);
    // A member sees only their workspaces.
    const token = await app.tokenFor('perm-b@example.com');
    const mine = await app.call<{ permissions: Array<{ workspace: string }> }>('GET', '/permissions', { token });
    expect(new Set(mine.body.permissions.map((p) => p.workspace))).toEqual(new Set([ws]));
  });

  it('issues tokens (system only, stored hashed) that act as the person', async () => {
    const ws = await workspace();
    await add(ws, 'tok@example.com', 'viewer');
    const res = await app.call<{ token: string }>('POST', '/tokens', { body: { person: 'tok@example.com' } });
    expect(res.status).toBe(201);
    const hashes = await store.db.query<{ token_hash: string }>('select token_hash from api_tokens');
    expect(hashes.rows.some((h) => h.token_hash === res.body.token)).toBe(false);
    const asPerson = await app.call<{ workspaces: Array<{ id: string }> }>('GET', '/workspaces', { token: res.body.token });
    expect(asPerson.body.workspaces.map((w) => w.id)).toEqual([ws]);
    expect((await app.call('POST', '/tokens', { token: res.body.token, body: { person: 'tok@example.com' } })).status).toBe(403);
    expect((await app.call('POST', '/tokens', { body: { source: 'hr' } })).status).toBe(201);
    expect((await app.call('POST', '/tokens', { body: { source: 'nope' } })).status).toBe(404);
  });

  it('people by id and e-mail; activity; the events feed by cursor', async () => {
    const ws = await workspace();
    const m = await add(ws, 'active@example.com', 'viewer');
    const byId = await app.call<{ person: { email: string; grants: Array<{ workspace: string; role: string }> } }>('GET', `/people/${m.personId}`);
    expect(byId.body.person).toMatchObject({ email: 'active@example.com', grants: [expect.objectContaining({ workspace: ws, role: 'viewer', origin: 'manual' })] });
    expect((await app.call('POST', `/people/${m.personId}/activity`, { body: {} })).status).toBe(204);
    const after = await app.call<{ people: Array<{ lastActiveAt: string }> }>('GET', '/people?email=ACTIVE@example.com');
    expect(after.body.people[0]?.lastActiveAt).toBe(app.clock.now.toISOString());

    const seen: Array<{ id: number; type: string }> = [];
    let cursor = '';
    for (let i = 0; i < 1000; i++) {
      const page = await app.call<{ events: Array<{ id: number; type: string }>; next: string }>('GET', `/events?limit=7${cursor ? `&after=${cursor}` : ''}`);
      seen.push(...page.body.events);
      cursor = page.body.next;
      if (page.body.events.length < 7) break;
    }
    const total = (await store.db.query<{ n: number }>('select count(*)::int as n from outbox')).rows[0]?.n;
    expect(seen).toHaveLength(total as number);
    expect(new Set(seen.map((e) => e.id)).size).toBe(total);
    // Nothing new: the same cursor, an empty page.
    expect((await app.call<{ events: unknown[]; next: string }>('GET', `/events?after=${cursor}`)).body).toEqual({ events: [], next: cursor });
    await add(ws, 'later@example.com', 'viewer');
    expect((await app.call<{ events: Array<{ type: string; data: { email: string } }> }>('GET', `/events?after=${cursor}`)).body.events.map((e) => [e.type, e.data.email])).toEqual([['membership.granted', 'later@example.com']]);
    expect((await app.call('GET', '/events', { token: await app.tokenFor('active@example.com') })).status).toBe(403);
  });

  it('deletes a workspace: its memberships are removed, with events', async () => {
    const ws = await workspace();
    await add(ws, 'gone-1@example.com', 'admin');
    await add(ws, 'gone-2@example.com', 'viewer');
    expect((await app.call('DELETE', `/workspaces/${ws}`)).status).toBe(204);
    expect((await app.call('GET', `/workspaces/${ws}/members`)).status).toBe(404);
    const events = await store.db.query<{ n: number }>(`select count(*)::int as n from outbox where workspace_id = $1 and type = 'membership.removed'`, [ws]);
    expect(events.rows[0]?.n).toBe(2);
  });
});
