/**
 * The quick start: without `console.oidc` the console signs in with the system token or a person
 * token. A person token's session acts under the role matrix, and ends when the token is revoked.
 */
import { Writable } from 'node:stream';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../../src/config/env.js';
import { parseConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/log.js';
import { startDaemon, type Daemon } from '../../../src/main.js';
import { createPgliteDb } from '../../../src/store/pglite.js';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../../helpers/redis.js';
import { launchChromium } from './browser.js';

const TOKEN = 'console-quickstart-system-token';

describe('console sign-in with a token (no console.oidc)', () => {
  let daemon: Daemon;
  let browser: Browser;
  let base: string;
  const prefix = uniquePrefix('console-token');

  const api = async <T>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}/api/v1${p}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  beforeAll(async () => {
    const config = parseConfig({ organization: { internalDomains: ['example.com'] }, workspaces: [{ id: 'eng', name: 'Engineering' }, { id: 'ops', name: 'Operations' }] });
    daemon = await startDaemon({
      settings: { ...readSettings({}), port: 0, redisUrl: TEST_REDIS_URL, queuePrefix: prefix, adminToken: TOKEN },
      config,
      roles: { http: true, worker: true, scheduler: false },
      logger: createLogger({ destination: new Writable({ write(_c, _e, cb) { cb(); } }) }),
      db: await createPgliteDb(),
      env: {},
    });
    base = daemon.url as string;
    browser = await launchChromium();
    expect((await api('POST', '/workspaces/eng/members', { email: 'vera@example.com', role: 'viewer' })).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await daemon?.close();
    await daemon?.db.close();
    const redis = testRedis();
    await deletePrefix(redis, `{${prefix}}`);
    await redis.quit();
  });

  it('a wrong token is refused on the page; a person token signs in, sees only its workspaces, and its revocation ends the session', async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${base}/console/`);
    await page.getByLabel('Admin or person token').fill('idsp_not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('this token is not valid').waitFor();

    const { body } = await api<{ token: string; id: string }>('POST', '/tokens', { person: 'vera@example.com' });
    await page.getByLabel('Admin or person token').fill(body.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: /Engineering/ }).waitFor();
    expect(await page.getByRole('link', { name: /Operations/ }).count()).toBe(0);
    await page.getByRole('link', { name: /Engineering/ }).click();
    // A viewer is offered no role change, no removal, no invite, and told why.
    await page.getByRole('heading', { name: 'Members of eng' }).waitFor();
    expect(await page.locator('table.members select').count()).toBe(0);
    expect(await page.textContent('main')).toContain('viewers may not assign roles');

    expect((await api('DELETE', `/tokens/${body.id}`)).status).toBe(204);
    await page.getByLabel('Search').fill('vera');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('Your session has ended. Sign in again.').waitFor();
    await context.close();
  });

  it('sign-in from another origin is refused (login CSRF), and /console/login leads back to the token form', async () => {
    const res = await fetch(`${base}/console/api/token-sign-in`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: JSON.stringify({ token: TOKEN }) });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
    const login = await fetch(`${base}/console/login`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/console/');
  });
});
