import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/env.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { createPostgresDb } from '../../src/store/postgres.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { freePort, runCli, waitFor } from '../helpers/process.js';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const ADMIN = 'admin-token-for-metrics';
const SCIM = 'scim-token-for-metrics';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** The metric names PromQL expressions refer to (recording rules, `idsync:…`, are not metrics). */
function metricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/\b(idsync_[a-z0-9_]+)/g)) names.add(m[1] as string);
  if (/\bup\{/.test(text)) names.add('up');
  return names;
}

/** A sample's value in the exposition text, by its exact name and label set; undefined when absent. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the metrics the dashboard and the alert rules name, on a running daemon', () => {
  let database: TestDatabase;
  let daemon: Daemon;
  let worker: Daemon | undefined;
  const prefix = uniquePrefix('metrics');
  const logLines: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = parseConfig({
      organization: { internalDomains: ['example.com'] },
      sources: [
        { id: 'hr', kind: 'scim', tokenEnv: 'HR_SCIM_TOKEN', expectActivityWithin: 'PT1H' },
        // Nothing listens on its port: every run fails, quickly.
        { id: 'corp-ldap', kind: 'ldap', url: `ldap://127.0.0.1:${await freePort()}`, users: { baseDn: 'ou=people,dc=example,dc=com' }, connectTimeoutMs: 2000 },
      ],
      workspaces: [{ id: 'eng', name: 'Engineering', roles: { viewer: [{ source: 'hr', group: 'everyone' }] } }],
      webhooks: [{ url: 'http://127.0.0.1:9/hooks?key=not-a-label', secretEnv: 'HOOK_SECRET' }],
    });
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk));
        cb();
      },
    });
    daemon = await startDaemon({
      settings: { ...readSettings({}), port: 0, redisUrl: TEST_REDIS_URL, queuePrefix: prefix, adminToken: ADMIN },
      config,
      roles: { http: true, worker: true, scheduler: true },
      logger: createLogger({ destination: sink }),
      db: createPostgresDb({ connectionString: database.url }),
      env: { HR_SCIM_TOKEN: SCIM, HOOK_SECRET: 'hook-secret' },
    });
  });
  afterAll(async () => {
    await worker?.close();
    await daemon?.close();
    await daemon?.db.close();
    const redis = testRedis();
    await deletePrefix(redis, prefix);
    await redis.quit();
    await database?.drop();
  });

  const scim = (method: string, route: string, body?: unknown) =>
    fetch(`${daemon.url}/scim/v2${route}`, {
      method,
      headers: { authorization: `Bearer ${SCIM}`, 'content-type': 'application/scim+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const api = (method: string, route: string, body?: unknown) =>
    fetch(`${daemon.url}/api/v1${route}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const metrics = async (url = daemon.url) => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('a SCIM change becomes a grant, and the time it took is observed, per grant change', async () => {
    const created = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'ada@example.com', emails: [{ value: 'ada@example.com', primary: true }], active: true });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'everyone', members: [{ value: id }] })).status).toBe(201);
    expect((await scim('GET', `/Users/${id}`)).status).toBe(200);
    expect((await scim('GET', '/Users/not-a-uuid-of-ours')).status).toBe(404);

    const text = await waitFor(async () => {
      const t = await metrics();
      return (sample(t, 'idsync_change_to_grant_seconds_count') ?? 0) >= 1 ? t : undefined;
    }, 30_000, 'the grant');
    expect(sample(text, 'idsync_change_to_grant_seconds_count')).toBe(1);
    const seconds = sample(text, 'idsync_change_to_grant_seconds_sum') as number;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(30);
    expect(sample(text, 'idsync_grant_changes_total{kind="granted"}')).toBe(1);

    // Per source, method, route pattern and status class: the ids in the paths are no label.
    expect(sample(text, 'idsync_scim_requests_total{source="hr",method="POST",route="/Users",status_class="2xx"}')).toBe(1);
    expect(sample(text, 'idsync_scim_requests_total{source="hr",method="GET",route="/Users/:id",status_class="2xx"}')).toBe(1);
    expect(sample(text, 'idsync_scim_requests_total{source="hr",method="GET",route="/Users/:id",status_class="4xx"}')).toBe(1);
    expect(sample(text, 'idsync_scim_request_duration_seconds_count{source="hr",method="POST",route="/Groups"}')).toBe(1);
    expect(text).not.toContain(id);
    expect(text).not.toContain('ada@example.com');
  });

  it('an unauthenticated SCIM request is counted without a source or a route', async () => {
    const res = await fetch(`${daemon.url}/scim/v2/Users/deadbeef-0000-4000-8000-000000000000`, { headers: { authorization: 'Bearer wrong' } });
    expect(res.status).toBe(401);
    const text = await waitFor(async () => {
      const t = await metrics();
      return sample(t, 'idsync_scim_requests_total{source="none",method="GET",route="unmatched",status_class="4xx"}') === 1 ? t : undefined;
    }, 5000, 'the count');
    expect(text).not.toContain('deadbeef');
  });

  it('a sync failing twice: runs counted failed, two failures in a row, the source failing with its error', async () => {
    for (let run = 1; run <= 2; run++) {
      expect((await api('POST', '/sources/corp-ldap/sync', { mode: 'full' })).status).toBe(202);
      await waitFor(async () => {
        const body = (await (await api('GET', '/sources/corp-ldap/runs')).json()) as { runs: Array<{ status: string }> };
        return body.runs.length === run && body.runs[0]?.status === 'failed' ? true : undefined;
      }, 30_000, `failed run ${run}`);
    }
    const text = await metrics();
    expect(sample(text, 'idsync_sync_runs_total{source="corp-ldap",mode="full",status="failed"}')).toBe(2);
    expect(sample(text, 'idsync_sync_runs_total{source="corp-ldap",mode="full",status="succeeded"}')).toBe(0);
    expect(sample(text, 'idsync_sync_run_duration_seconds_count{source="corp-ldap",mode="full"}')).toBe(2);
    expect(sample(text, 'idsync_sync_consecutive_failures{source="corp-ldap"}')).toBe(2);
    expect(sample(text, 'idsync_source_health{source="corp-ldap",health="failing"}')).toBe(1);
    expect(sample(text, 'idsync_source_health{source="corp-ldap",health="ok"}')).toBe(0);
    expect(sample(text, 'idsync_source_health{source="hr",health="ok"}')).toBe(1);

    const sources = (await (await api('GET', '/sources')).json()) as { sources: Array<{ id: string; health: string; healthReason: string; healthSince: string | null }> };
    const ldap = sources.sources.find((s) => s.id === 'corp-ldap');
    expect(ldap).toMatchObject({ health: 'failing', healthSince: expect.any(String) });
    expect(ldap?.healthReason).toMatch(/^the last 2 runs failed: .*"corp-ldap"/);
    expect(sources.sources.find((s) => s.id === 'hr')).toMatchObject({ health: 'ok', healthSince: null });
    const status = (await (await api('GET', '/status')).json()) as { sources: Array<{ id: string; health?: string }> };
    expect(status.sources.find((s) => s.id === 'corp-ldap')?.health).toBe('failing');

    // `idsync status`: the state in its column, the reason and since when on a line of its own.
    const cli = runCli(['status'], { IDSYNC_URL: daemon.url as string, IDSYNC_ADMIN_TOKEN: ADMIN });
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/corp-ldap\s+ldap\s+failing\s+full failed/);
    expect(cli.output()).toMatch(/\s+failing since \d{4}-\d\d-\d\dT\S+: the last 2 runs failed: .*"corp-ldap"/);
    expect(cli.output()).toMatch(/hr\s+scim\s+ok\s+never/);
  });

  it('every metric that ops/grafana/idsync.json and ops/prometheus/alerts.yml name is on /metrics', async () => {
    const dashboard = JSON.parse(await readFile(path.resolve('ops/grafana/idsync.json'), 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
    const rules = await readFile(path.resolve('ops/prometheus/alerts.yml'), 'utf8');
    const named = new Set([...metricNames(exprs), ...metricNames(rules)]);
    expect(named.size).toBeGreaterThan(15);
    const text = await metrics();
    const exposed = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap((m) => {
      const [name, type] = [m[1] as string, m[2] as string];
      return type === 'histogram' ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
    }));
    // `up` is Prometheus's own series about each scrape; the rest must come from idsync.
    const missing = [...named].filter((n) => n !== 'up' && !exposed.has(n));
    expect(missing).toEqual([]);
  });

  it('the grant event fails to reach its webhook: the attempt is counted by target, and the event ages undelivered', async () => {
    // Nothing listens on port 9: the first attempt fails and is retried later.
    const text = await waitFor(async () => {
      const t = await metrics();
      return (sample(t, 'idsync_webhook_deliveries_total{target="http://127.0.0.1:9/hooks",outcome="retrying"}') ?? 0) >= 1 ? t : undefined;
    }, 20_000, 'a failed delivery attempt');
    expect(sample(text, 'idsync_webhook_deliveries_total{target="http://127.0.0.1:9/hooks",outcome="delivered"}')).toBe(0);
    // The target label is the endpoint without its query string.
    expect(text).not.toContain('not-a-label');
    expect(sample(text, 'idsync_outbox_oldest_undelivered_age_seconds')).toBeGreaterThan(0);
  });

  it('requests are logged at debug only; admin changes and failures at info or above', async () => {
    const requests = logLines.map((l) => JSON.parse(l) as { msg: string; level: number; method?: string; path?: string }).filter((l) => l.msg === 'request');
    // The SCIM requests above were answered and not logged (info level); the two admin POSTs were.
    expect(requests.filter((r) => r.path?.startsWith('/scim/'))).toEqual([]);
    expect(requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/sources/corp-ldap/sync')).toHaveLength(2);
    expect(requests.filter((r) => r.method === 'GET')).toEqual([]);
    expect(logLines.join('')).not.toContain(SCIM);
  });

  it('a worker process (no HTTP role) serves /healthz, /readyz and /metrics only', async () => {
    const port = await freePort();
    worker = await startDaemon({
      settings: { ...readSettings({}), port, redisUrl: TEST_REDIS_URL, queuePrefix: prefix, adminToken: ADMIN },
      config: parseConfig({ sources: [{ id: 'hr', kind: 'scim' }] }),
      roles: { http: false, worker: true, scheduler: false },
      logger: createLogger({ level: 'silent' }),
      db: daemon.db,
      env: {},
    });
    expect(worker.url).toBe(`http://127.0.0.1:${port}`);
    const text = await metrics(worker.url);
    expect(text).toContain('# TYPE idsync_change_to_grant_seconds histogram');
    expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${worker.url}/api/v1/sources`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(404);
    expect((await fetch(`${worker.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${SCIM}` } })).status).toBe(404);
  });
});
