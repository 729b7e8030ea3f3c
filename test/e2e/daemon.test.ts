import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { readSettings } from '../../src/config/env.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { createLogger } from '../../src/log.js';
import { createPgliteDb } from '../../src/store/pglite.js';
import { group, user } from '../helpers/data.js';
import { startRedisServer, waitFor } from '../helpers/process.js';
import { uniquePrefix } from '../helpers/redis.js';
import { Writable } from 'node:stream';

const TOKEN = 'system-token-for-tests';

describe('the daemon in one process (embedded store)', () => {
  let daemon: Daemon;
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  const logLines: string[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const config = parseConfig({
      organization: { internalDomains: ['example.com'] },
      sources: [{ id: 'hr', kind: 'scim' }],
      workspaces: [{ id: 'eng', name: 'Engineering', roles: { admin: [{ source: 'hr', group: 'leads' }], viewer: [{ source: 'hr', group: 'all' }] } }],
    });
    const settings = { ...readSettings({}), port: 0, redisUrl: redis.url, queuePrefix: uniquePrefix('daemon'), adminToken: TOKEN };
    const sink = new Writable({ write(chunk, _enc, cb) { logLines.push(String(chunk)); cb(); } });
    daemon = await startDaemon({ settings, config, roles: { http: true, worker: true, scheduler: true }, logger: createLogger({ destination: sink }), db: await createPgliteDb(), env: {} });
    const users = Array.from({ length: 25 }, (_, i) => user('hr', i));
    await daemon.ingest.writeUsers('hr', users);
    await daemon.ingest.writeGroups('hr', [group('hr', 'all', users.map((u) => u.id)), group('hr', 'leads', [users[3]!.id])]);
    await waitFor(async () => {
      const c = await daemon.changes.queue.getJobCounts('waiting', 'active');
      return (c['waiting'] ?? 0) + (c['active'] ?? 0) === 0 ? true : undefined;
    }, 30_000, 'reconciliation');
  });
  afterAll(async () => {
    try {
      await daemon?.close();
      await daemon?.db.close();
    } finally {
      await redis?.stop();
    }
  });

  const get = (path: string, token = TOKEN) => fetch(`${daemon.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('lists members page by page with a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Response = await get(`/api/v1/workspaces/eng/members?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { members: Array<{ email: string; role: string; status: string; origin: string; personId: string; validUntil: string | null }>; next: string | null };
      seen.push(...body.members.map((m) => m.email));
      if (pages === 0) expect(Object.keys(body.members[0] ?? {}).sort()).toEqual(['email', 'origin', 'personId', 'role', 'status', 'validUntil']);
      cursor = body.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const admins = (await (await get('/api/v1/workspaces/eng/members?role=admin')).json()) as { members: Array<{ email: string }> };
    expect(admins.members.map((m) => m.email)).toEqual(['user3@example.com']);
  });

  it('filters the audit log by workspace and person', async () => {
    const res = await get('/api/v1/audit?workspace=eng&person=user3@example.com');
    const body = (await res.json()) as { entries: Array<{ action: string; after: { role: string } }> };
    expect(body.entries.map((e) => [e.action, e.after.role])).toEqual([['membership.granted', 'admin']]);
  });

  it('refuses a missing or wrong token, and bad parameters, with the error shape', async () => {
    const none = await get('/api/v1/workspaces', '');
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    expect((await get('/api/v1/workspaces', 'wrong')).status).toBe(401);
    const bad = await get('/api/v1/workspaces/eng/members?limit=5000');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    expect((await get('/api/v1/workspaces/nope/members')).status).toBe(404);
    expect((await get('/admin/queues', '')).status).toBe(401);
    expect((await get('/admin/queues')).status).toBe(200);
  });

  it('exposes Prometheus metrics with per-queue job counts', async () => {
    const text = await (await get('/metrics', '')).text();
    expect(text).toMatch(/idsync_queue_jobs\{queue="changes",state="completed"\} [1-9]/);
    expect(text).toMatch(/idsync_changes_reconciled_total\{outcome="ok"\} [1-9]/);
    expect(text).toContain('idsync_process_resident_memory_bytes');
  });

  it('/readyz is 503 while Redis is down and 200 once it is back', async () => {
    expect((await get('/readyz', '')).status).toBe(200);
    await redis.stop();
    const down = await waitFor(async () => {
      const res = await get('/readyz', '');
      return res.status === 503 ? ((await res.json()) as { checks: { redis: string; database: string } }) : undefined;
    }, 10_000, 'readyz 503');
    expect(down.checks.database).toBe('ok');
    expect(down.checks.redis).toMatch(/^unavailable/);

    // A write while the queue is down neither hangs nor fails: its change is parked, then relayed.
    const late = user('hr', 'late');
    const started = Date.now();
    await daemon.ingest.writeUsers('hr', [late]);
    await daemon.ingest.changeGroupMembers('hr', group('hr', 'all', undefined).id, { add: [late.id] });
    expect(Date.now() - started).toBeLessThan(3000);
    const parked = await daemon.db.query<{ key: string }>('select key from pending_changes');
    expect(parked.rows).toEqual([{ key: 'late@example.com' }]);

    redis = await startRedisServer(redis.port);
    await waitFor(async () => ((await get('/readyz', '')).status === 200 ? true : undefined), 15_000, 'readyz 200');
    const member = await waitFor(async () => {
      const body = (await (await get('/api/v1/workspaces/eng/members?q=late')).json()) as { members: Array<{ email: string; status: string }> };
      return body.members.length > 0 ? body.members : undefined;
    }, 20_000, 'the parked change to be reconciled');
    expect(member).toEqual([expect.objectContaining({ email: 'late@example.com', status: 'active' })]);
    expect((await daemon.db.query('select 1 from pending_changes')).rowCount).toBe(0);
  });

  it('never logs a token', () => {
    expect(logLines.join('')).not.toContain(TOKEN);
  });
});
