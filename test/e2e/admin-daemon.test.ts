import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { readSettings } from '../../src/config/env.js';
import { createLogger } from '../../src/log.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { createPgliteDb } from '../../src/store/pglite.js';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '../../src/webhooks/signature.js';
import { runCli, waitFor } from '../helpers/process.js';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const TOKEN = 'system-token-admin-daemon';
const SECRET = 'hook-secret-admin-daemon';
const DAY = 86_400_000;

describe('administration and lifecycle in the running daemon (embedded store)', () => {
  let daemon: Daemon;
  let receiver: Server;
  let dir: string;
  const received: Array<{ type: string; email: string | undefined; valid: boolean }> = [];
  const clock = { now: new Date('2026-06-01T00:00:00Z') };
  const prefix = uniquePrefix('admind');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'idsync-admin-'));
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const valid = verifyWebhookSignature({ secret: SECRET, body, timestamp: req.headers[WEBHOOK_HEADERS.timestamp] as string, signature: req.headers[WEBHOOK_HEADERS.signature] as string });
        const event = JSON.parse(body) as { type: string; data: { email?: string } };
        received.push({ type: event.type, email: event.data.email, valid });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    const config = parseConfig({
      organization: { internalDomains: ['example.com'] },
      sources: [{ id: 'hr', kind: 'scim' }],
      workspaces: [{ id: 'eng', name: 'Engineering' }],
      webhooks: [{ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, secretEnv: 'HOOK_SECRET' }],
    });
    const settings = { ...readSettings({}), port: 0, redisUrl: TEST_REDIS_URL, queuePrefix: prefix, adminToken: TOKEN };
    const sink = new Writable({ write(_c, _e, cb) { cb(); } });
    daemon = await startDaemon({
      settings, config, roles: { http: true, worker: true, scheduler: true }, logger: createLogger({ destination: sink }),
      db: await createPgliteDb(), env: { HOOK_SECRET: SECRET }, now: () => clock.now,
      lifecycleTimings: { sweepEveryMs: 250, relayIntervalMs: 100, webhookBackoffMs: 100 },
    });
  });
  afterAll(async () => {
    await daemon?.close();
    await daemon?.db.close();
    const redis = testRedis();
    await deletePrefix(redis, `{${prefix}}`);
    redis.disconnect();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const api = async <T>(method: string, p: string, body?: unknown, token = TOKEN): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${daemon.url}/api/v1${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  it('CLI: tokens create --person and import <csv> --workspace talk to the daemon', async () => {
    const env = { IDSYNC_URL: daemon.url as string, IDSYNC_ADMIN_TOKEN: TOKEN };
    const file = path.join(dir, 'users.csv');
    await writeFile(file, 'email,firstName,lastName,company,role,validUntil\nlead@example.com,Lea,Der,,admin,\nguest@partner.example.org,Gue,St,Partner Ltd,viewer,\n');
    const imported = runCli(['import', file, '--workspace', 'eng'], env);
    expect(await imported.exited, imported.output()).toBe(0);
    expect(imported.output()).toContain('granted 2, changed 0, unchanged 0');

    const bad = path.join(dir, 'bad.csv');
    await writeFile(bad, 'email,role\nnope,viewer\nx@partner.example.org,viewer\n');
    // Two CLI processes at once: a refused import and a token.
    const refused = runCli(['import', bad, '--workspace', 'eng'], env);
    const created = runCli(['tokens', 'create', '--person', 'lead@example.com'], env);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toMatch(/line 2: .*nope/);
    expect(refused.output()).toMatch(/line 3: .*company is required/);
    expect(await created.exited, created.output()).toBe(0);
    const personToken = /^(idsp_\S+)$/m.exec(created.output())?.[1] as string;
    expect(personToken).toBeDefined();
    // The lead acts as an admin of eng, and only of eng.
    const invite = await api<{ invite: { id: string } }>('POST', '/workspaces/eng/invites', { email: 'new@example.com', role: 'editor' }, personToken);
    expect(invite.status).toBe(201);
  }, 60_000);

  it('the scheduled sweep expires a membership and the webhook sees every event, signed', async () => {
    const guest = (await api<{ people: Array<{ id: string; grants: Array<{ validUntil: string }> }> }>('GET', '/people?email=guest@partner.example.org')).body.people[0];
    expect(guest?.grants[0]?.validUntil).toBe(new Date(clock.now.getTime() + 90 * DAY).toISOString());
    clock.now = new Date(clock.now.getTime() + 80 * DAY);
    await waitFor(async () => (received.some((e) => e.type === 'membership.expiring') ? true : undefined), 15_000, 'the reminder');
    clock.now = new Date(clock.now.getTime() + 11 * DAY);
    await waitFor(async () => (received.some((e) => e.type === 'membership.expired') ? true : undefined), 15_000, 'the expiry');
    const members = await api<{ members: Array<{ email: string; status: string }> }>('GET', '/workspaces/eng/members?status=expired');
    expect(members.body.members.map((m) => m.email)).toEqual(['guest@partner.example.org']);

    const outbox = (await daemon.db.query<{ type: string; email: string }>(`select type, payload->>'email' as email from outbox order by id`)).rows;
    await waitFor(async () => (received.length >= outbox.length ? true : undefined), 10_000, 'every event');
    expect(received.every((e) => e.valid)).toBe(true);
    expect(received.map((e) => `${e.type} ${e.email}`).sort()).toEqual(outbox.map((e) => `${e.type} ${e.email}`).sort());
    expect(outbox.map((e) => e.type)).toEqual(['membership.granted', 'membership.granted', 'membership.expiring', 'membership.expired']);
  }, 60_000);
});
