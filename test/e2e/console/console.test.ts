/**
 * The web console end to end: Debian's chromium (playwright-core) against a running daemon and a
 * real OpenID provider (oidc-provider) that signs test users in with or without a second factor;
 * a test slapd as the directory. Screenshots of each page go to CONSOLE_SCREENSHOTS (default: a temp
 * dir; `CONSOLE_SCREENSHOTS=docs/console` refreshes the README's).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../../src/config/env.js';
import { parseConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/log.js';
import { startDaemon, type Daemon } from '../../../src/main.js';
import { createPgliteDb } from '../../../src/store/pglite.js';
import { freePort, waitFor } from '../../helpers/process.js';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../../helpers/redis.js';
import { slapdSource, startSlapd, type Slapd } from '../../helpers/slapd.js';
import { launchChromium } from './browser.js';
import { startOpenIdProvider, type TestOpenIdProvider } from './openid-provider.js';

const TOKEN = 'console-e2e-system-token';
const SHOTS = process.env['CONSOLE_SCREENSHOTS'] ?? mkdtempSync(path.join(tmpdir(), 'idsync-console-shots-'));

describe('the web console in chromium, signed in through a real OpenID provider', () => {
  let slapd: Slapd;
  let idp: TestOpenIdProvider;
  let daemon: Daemon;
  let browser: Browser;
  let base: string;
  const prefix = uniquePrefix('console');
  const contexts: BrowserContext[] = [];

  const api = async <T>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}/api/v1${p}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const memberOf = async (email: string) =>
    (await api<{ members: Array<{ email: string; role: string; origin: string; status: string }> }>('GET', `/workspaces/eng/members?q=${encodeURIComponent(email)}`)).body.members.find((m) => m.email === email);

  /** A fresh browser profile signed in as `email` through the provider; the page ends on the console. */
  async function signIn(email: string, mfa = true): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    idp.nextLogin = { email, mfa };
    await page.goto(`${base}/console/`);
    await page.getByRole('link', { name: "Sign in with your organisation's account" }).click();
    if (process.env['CONSOLE_DEBUG']) page.on('console', (m) => console.log('page:', m.text()));
    await page.waitForURL((url) => url.origin === base && url.pathname !== '/console/login', { waitUntil: 'load' });
    if (process.env['CONSOLE_DEBUG']) setTimeout(() => void page.content().then((c) => console.log(page.url(), c)), 3000);
    return page;
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  /** One admin session for the flows at the end: a sign-in costs seconds on a loaded machine, a page load does not. */
  let adaSession: Page | undefined;
  const asAda = async () => (adaSession ??= await signIn('ada@example.com', true));
  const personId = async (email: string) =>
    (await api<{ people: Array<{ id: string }> }>('GET', `/people?email=${encodeURIComponent(email)}`)).body.people[0]?.id as string;
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    slapd = await startSlapd({ users: 3, groups: 1 });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await startOpenIdProvider({ port: await freePort(), redirectUri: `${base}/console/callback` });
    const config = parseConfig({
      organization: { internalDomains: ['example.com'] },
      sources: [slapdSource(slapd, 'corp', 'LDAP_PW')],
      workspaces: [{ id: 'eng', name: 'Engineering', roles: { viewer: [{ source: 'corp', group: 'group1' }] } }],
      console: {
        oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecretEnv: 'OIDC_SECRET', redirectUrl: `${base}/console/callback`, requireMfa: true },
        operators: ['it@example.com'],
        sessionSecretEnv: 'SESSION_SECRET',
      },
    });
    const sink = new Writable({ write(_c, _e, cb) { cb(); } });
    daemon = await startDaemon({
      settings: { ...readSettings({}), port, redisUrl: TEST_REDIS_URL, queuePrefix: prefix, adminToken: TOKEN },
      config,
      roles: { http: true, worker: true, scheduler: false },
      logger: createLogger({ destination: sink }),
      db: await createPgliteDb(),
      env: { LDAP_PW: slapd.password, OIDC_SECRET: idp.clientSecret, SESSION_SECRET: 'console-session-secret' },
    });
    browser = await launchChromium();
    // The directory's three users become rule-managed viewers; three people are added by hand.
    expect((await api('POST', '/sources/corp/sync', { mode: 'full' })).status).toBe(202);
    await waitFor(async () => ((await memberOf('user1@example.com'))?.origin === 'rules' ? true : undefined), 30_000, 'the rule grants from the first sync');
    // Two admins: ada is not the last one, so what an editor is refused is the role matrix alone.
    for (const [email, role] of [['ada@example.com', 'admin'], ['ann@example.com', 'admin'], ['eddie@example.com', 'editor'], ['bob@example.com', 'viewer']]) {
      expect((await api('POST', '/workspaces/eng/members', { email, role })).status).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await daemon?.close();
    await daemon?.db.close();
    await idp?.close();
    await slapd?.stop();
    const redis = testRedis();
    await deletePrefix(redis, `{${prefix}}`);
    await redis.quit();
    if (!process.env['CONSOLE_SCREENSHOTS']) rmSync(SHOTS, { recursive: true, force: true });
  });

  it('serves the page with a strict Content-Security-Policy and nothing from another origin', async () => {
    const res = await fetch(`${base}/console/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc="\/console\/)/);
    expect(html).not.toMatch(/https?:\/\//);
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const origins = new Set<string>();
    page.on('request', (r) => origins.add(new URL(r.url()).origin));
    await page.goto(`${base}/console/`);
    await page.getByRole('link', { name: "Sign in with your organisation's account" }).waitFor();
    expect([...origins]).toEqual([base]);
    await shot(page, 'sign-in');
  });

  it('refuses a sign-in without a second factor when MFA is required, and says why', async () => {
    const page = await signIn('ada@example.com', false);
    await expect(page.getByRole('heading', { name: /multi-factor authentication is required/ }).textContent()).resolves.toContain('multi-factor');
    expect(await page.textContent('body')).toContain('your identity provider reports only: pwd');
    expect(idp.completed.at(-1)).toEqual({ email: 'ada@example.com', amr: ['pwd'] });
    const cookies = await page.context().cookies(base);
    expect(cookies.find((c) => c.name.includes('idsync_console') && c.name !== 'idsync_console_flow' && c.value !== '')).toBeUndefined();
    await shot(page, 'mfa-refused');
  });

  it('signs in with MFA; an admin adds a member and changes a role in place', async () => {
    const page = await signIn('ada@example.com', true);
    await expect(page.locator('.who').textContent()).resolves.toContain('ada@example.com');
    const cookie = (await page.context().cookies(base)).find((c) => c.name === 'idsync_console');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    await page.getByRole('link', { name: /Engineering/ }).waitFor();
    await shot(page, 'workspaces');
    await page.getByRole('link', { name: /Engineering/ }).click();
    await page.getByRole('heading', { name: 'Members of eng' }).waitFor();

    const add = page.locator('section', { has: page.getByRole('heading', { name: 'Add a member' }) });
    await add.getByLabel('E-mail').fill('newbie@example.com');
    await add.getByLabel('Role').selectOption('viewer');
    await add.getByRole('button', { name: 'Add member' }).click();
    await page.getByText('newbie@example.com added as viewer.').waitFor();
    await page.getByLabel('Role of newbie@example.com').selectOption('editor');
    await page.getByText('newbie@example.com is now editor.').waitFor();
    expect(await memberOf('newbie@example.com')).toMatchObject({ role: 'editor', origin: 'manual', status: 'active' });
    await shot(page, 'members');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'members-phone');
  });

  it('a rule-managed member cannot be edited, and the page names the source and the rule', async () => {
    const page = await signIn('ada@example.com', true);
    await page.goto(`${base}/console/#/workspaces/eng`);
    const row = page.locator('tr[data-email="user1@example.com"]');
    await row.waitFor();
    const person = (await api<{ people: Array<{ grants: Array<{ workspace: string; origin: string; rule: string }> }> }>('GET', '/people?email=user1@example.com')).body.people[0];
    const rule = person?.grants.find((g) => g.workspace === 'eng' && g.origin === 'rules')?.rule as string;
    expect(rule).toBeTruthy();
    expect(await row.locator('select').count()).toBe(0);
    await expect(row.getByRole('button', { name: 'Remove user1@example.com' }).isDisabled()).resolves.toBe(true);
    const text = await row.textContent();
    expect(text).toContain(`Managed by rules: source "corp", rule "${rule}"`);
  });

  it('an editor is offered no admin role and cannot remove an admin', async () => {
    const page = await signIn('eddie@example.com', true);
    await page.goto(`${base}/console/#/workspaces/eng`);
    const bob = page.getByLabel('Role of bob@example.com');
    await bob.waitFor();
    expect(await bob.locator('option').allTextContents()).toEqual(['editor', 'viewer']);
    const add = page.locator('section', { has: page.getByRole('heading', { name: 'Add a member' }) });
    expect(await add.getByLabel('Role').locator('option').allTextContents()).toEqual(['editor', 'viewer']);
    const ada = page.locator('tr[data-email="ada@example.com"]');
    await expect(ada.getByRole('button', { name: 'Remove ada@example.com' }).isDisabled()).resolves.toBe(true);
    expect(await ada.locator('select').count()).toBe(0);
    expect(await ada.textContent()).toContain('only admins may remove an admin');
    expect(await ada.textContent()).not.toContain('last admin');
    await shot(page, 'members-as-editor');
  });

  it('an import with three bad lines shows all three and writes nothing; a good file applies', async () => {
    const page = await signIn('ada@example.com', true);
    await page.goto(`${base}/console/#/workspaces/eng/import`);
    const dir = mkdtempSync(path.join(tmpdir(), 'idsync-import-'));
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'email,firstName,lastName,company,role,validUntil\nimp1@example.com,Imp,One,,viewer,\nnot-an-address,X,Y,,viewer,\nimp2@example.com,Imp,Two,,owner,\nguest@partner.example.org,Gue,St,,viewer,\n');
    await page.getByLabel('Filled-in CSV file').setInputFiles(bad);
    await page.getByRole('button', { name: 'Check file (dry run)' }).click();
    const errors = page.locator('table.import-errors tbody tr');
    await errors.first().waitFor();
    expect(await errors.count()).toBe(3);
    const lines = await errors.locator('td:first-child').allTextContents();
    expect(lines).toEqual(['line 3', 'line 4', 'line 5']);
    await expect(page.getByRole('button', { name: 'Apply import' }).isDisabled()).resolves.toBe(true);
    expect(await memberOf('imp1@example.com')).toBeUndefined();
    await shot(page, 'import-errors');

    const good = path.join(dir, 'good.csv');
    writeFileSync(good, 'email,firstName,lastName,company,role,validUntil\nimp1@example.com,Imp,One,,viewer,\nguest@partner.example.org,Gue,St,Partner Ltd,viewer,\n');
    await page.getByLabel('Filled-in CSV file').setInputFiles(good);
    await page.getByRole('button', { name: 'Check file (dry run)' }).click();
    await page.getByText('Dry run: nothing was written. Applying would grant 2').waitFor();
    expect(await memberOf('imp1@example.com')).toBeUndefined();
    await shot(page, 'import-dry-run');
    await page.getByRole('button', { name: 'Apply import' }).click();
    await page.getByText('Imported: 2 granted').waitFor();
    expect(await memberOf('imp1@example.com')).toMatchObject({ role: 'viewer', origin: 'manual' });
    expect(await memberOf('guest@partner.example.org')).toMatchObject({ role: 'viewer' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('permissions: people × workspaces, exported as CSV', async () => {
    const page = await signIn('ada@example.com', true);
    await page.goto(`${base}/console/#/permissions`);
    await page.locator('table.permissions tbody tr').first().waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8');
    expect(csv.split('\n')[0]).toBe('personId,email,workspace,role,status,origin,validUntil');
    expect(csv).toMatch(/ada@example\.com,eng,admin,active,manual/);
    await shot(page, 'permissions');
  });

  it('an operator starts a sync of the test slapd and sees it finish', async () => {
    const page = await signIn('it@example.com', true);
    await page.goto(`${base}/console/#/sources`);
    const card = page.locator('section[data-source="corp"]');
    await card.getByRole('button', { name: 'Full sync' }).click();
    await page.getByText('A full sync of corp started.').waitFor();
    const before = (await api<{ runs: Array<{ id: string }> }>('GET', '/sources/corp/runs')).body.runs[0]?.id as string;
    // The page follows the run until it has finished.
    await card.locator(`tr[data-run="${before}"][data-status="succeeded"]`).waitFor({ timeout: 30_000 });
    expect(await card.locator(`tr[data-run="${before}"]`).textContent()).toContain('full');
    await shot(page, 'sources');
    await page.goto(`${base}/console/#/audit`);
    await page.locator('table.audit tbody tr').first().waitFor();
    await shot(page, 'audit');
  });

  it("a member's row opens the explanation of their access: the rule grant's source, account, matched group and rule", async () => {
    const page = await asAda();
    await page.goto(`${base}/console/#/workspaces/eng`);
    await page.getByRole('link', { name: 'Why user1@example.com has access' }).click();
    // Whose explanation opened: the row's person, not a neighbour's.
    expect(await page.getByRole('heading', { level: 1, name: /has access to eng$/ }).textContent()).toBe('Why user1@example.com has access to eng');
    expect(page.url()).toContain(`/access/${await personId('user1@example.com')}`);
    expect(await page.locator('.effective').textContent()).toBe('Effective role: viewer (Granted by rules).');
    const grant = page.locator('section.grant[data-origin="rules"]');
    expect(await grant.getAttribute('data-status')).toBe('active');
    expect(await grant.locator('dl.facts').textContent()).toContain('Sourcecorp');
    expect(await grant.locator('dl.facts').textContent()).toContain('Ruleviewer: corp/group1');
    expect(await grant.locator('table.evidence tbody tr').allTextContents()).toEqual(['corpuser1group "group1"viewer: corp/group1']);
    await shot(page, 'explain');

    // An ended grant says what ended it.
    expect((await api('POST', '/workspaces/eng/members', { email: 'gone@example.com', role: 'viewer' })).status).toBe(201);
    const gone = await personId('gone@example.com');
    expect((await api('DELETE', `/workspaces/eng/members/${gone}`)).status).toBe(204);
    await page.goto(`${base}/console/#/workspaces/eng/access/${gone}`);
    await page.getByRole('heading', { name: 'Why gone@example.com has access to eng' }).waitFor();
    expect(await page.locator('.effective').textContent()).toContain('No access now');
    const ended = page.locator('section.grant[data-origin="manual"][data-status="removed"]');
    expect(await ended.locator('.notice.warn').textContent()).toMatch(/^Ended .* \(membership\.removed\) by the system \(admin token or operator\)/);
  });

  it('an admin creates an invite and revokes it', async () => {
    const page = await asAda();
    await page.goto(`${base}/console/#/workspaces/eng`);
    const invites = page.locator('section', { has: page.getByRole('heading', { name: 'Pending invites' }) });
    await invites.getByLabel('E-mail').fill('invitee@example.com');
    await invites.getByLabel('Role').selectOption('editor');
    await invites.getByRole('button', { name: 'Invite' }).click();
    await page.getByText('Invite created for invitee@example.com').waitFor();
    type Invites = { invites: Array<{ email: string; role: string; invitedBy: string }> };
    const pending = async () => (await api<Invites>('GET', '/workspaces/eng/invites')).body.invites.filter((i) => i.email === 'invitee@example.com');
    expect(await pending()).toMatchObject([{ role: 'editor', invitedBy: 'user:ada@example.com' }]);
    await invites.getByRole('button', { name: 'Revoke the invite of invitee@example.com' }).click();
    await page.getByText('The invite of invitee@example.com was revoked.').waitFor();
    expect(await pending()).toEqual([]);
    expect(await invites.locator('tr[data-email="invitee@example.com"]').count()).toBe(0);
  });

  it('an admin creates a workspace, renames it and deletes it', async () => {
    const page = await asAda();
    await page.goto(`${base}/console/#/workspaces`);
    await page.getByLabel('Id', { exact: true }).fill('scratch');
    await page.getByLabel('Name', { exact: true }).fill('Scratch');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByText('Workspace "Scratch" created.').waitFor();
    type Workspaces = { workspaces: Array<{ id: string; name: string }> };
    const scratch = async () => (await api<Workspaces>('GET', '/workspaces')).body.workspaces.find((w) => w.id === 'scratch');
    expect(await scratch()).toMatchObject({ name: 'Scratch' });
    await page.getByRole('link', { name: /Scratch/ }).click();
    await page.getByRole('heading', { name: 'Members of scratch' }).waitFor();
    await page.getByLabel('New name').fill('Scratch pad');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByText('Renamed to "Scratch pad".').waitFor();
    expect(await scratch()).toMatchObject({ name: 'Scratch pad' });
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete workspace' }).click();
    await page.getByRole('heading', { name: 'Workspaces', exact: true }).waitFor();
    expect(await scratch()).toBeUndefined();
    expect((await api('GET', '/workspaces/scratch/members')).status).toBe(404);
  });

  it("an admin extends an external member's validity", async () => {
    const page = await asAda();
    const csv = `email,firstName,lastName,company,role,validUntil\next@partner.example.org,Ext,Ern,Partner Ltd,viewer,${inDays(20)}\n`;
    const imported = await fetch(`${base}/api/v1/workspaces/eng/imports`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' }, body: csv });
    expect(imported.status).toBe(200);
    type Member = { email: string; validUntil: string | null };
    const ext = async () => (await api<{ members: Member[] }>('GET', '/workspaces/eng/members?q=ext%40partner.example.org')).body.members.find((m) => m.email === 'ext@partner.example.org');
    expect((await ext())?.validUntil?.slice(0, 10)).toBe(inDays(20));
    await page.goto(`${base}/console/#/workspaces/eng`);
    await page.getByLabel('New valid-until date for ext@partner.example.org').fill(inDays(120));
    await page.locator('tr[data-email="ext@partner.example.org"]').getByRole('button', { name: 'Extend' }).click();
    await page.getByText(`ext@partner.example.org is valid until ${inDays(120)}.`).waitFor();
    expect((await ext())?.validUntil?.slice(0, 10)).toBe(inDays(120));
  });

  it('a state-changing request without the CSRF token is refused; with it, it passes', async () => {
    const page = await signIn('ada@example.com', true);
    await page.getByRole('link', { name: /Engineering/ }).waitFor();
    const cookie = (await page.context().cookies(base)).find((c) => c.name === 'idsync_console') as { value: string };
    const headers = { cookie: `idsync_console=${cookie.value}`, 'content-type': 'application/json' };
    const body = JSON.stringify({ email: 'csrf-victim@example.com', role: 'admin' });
    const refused = await fetch(`${base}/api/v1/workspaces/eng/members`, { method: 'POST', headers, body });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('csrf_token_invalid');
    const wrong = await fetch(`${base}/api/v1/workspaces/eng/members`, { method: 'POST', headers: { ...headers, 'x-csrf-token': 'guessed' }, body });
    expect(wrong.status).toBe(403);
    expect(await memberOf('csrf-victim@example.com')).toBeUndefined();
    // The page's own request, from inside the page: it carries the token.
    const fromPage = await page.evaluate(async () => {
      const session = (await (await fetch('/console/api/session')).json()) as { csrfToken: string };
      const res = await fetch('/api/v1/workspaces/eng/members', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken }, body: JSON.stringify({ email: 'csrf-ok@example.com', role: 'viewer' }) });
      return res.status;
    });
    expect(fromPage).toBe(201);
  });

  it('sign-out ends the session: the old cookie opens nothing', async () => {
    const page = await signIn('ada@example.com', true);
    await page.getByRole('link', { name: /Engineering/ }).waitFor();
    const cookie = (await page.context().cookies(base)).find((c) => c.name === 'idsync_console') as { value: string };
    const headers = { cookie: `idsync_console=${cookie.value}` };
    expect((await fetch(`${base}/api/v1/workspaces`, { headers })).status).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: "Sign in with your organisation's account" }).waitFor();
    const after = await fetch(`${base}/api/v1/workspaces`, { headers });
    expect(after.status).toBe(401);
    expect((await (await fetch(`${base}/console/api/session`, { headers })).json()) as { signedIn: boolean }).toMatchObject({ signedIn: false });
  });
});
