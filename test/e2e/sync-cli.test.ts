import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { readSettings } from '../../src/config/env.js';
import { createLogger } from '../../src/log.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { createPgliteDb } from '../../src/store/pglite.js';
import { runCli, waitFor } from '../helpers/process.js';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { slapdSource, startSlapd, type Slapd } from '../helpers/slapd.js';

const TOKEN = 'sync-cli-admin-token';
const execFileAsync = promisify(execFile);

describe('sync through the daemon: API and `idsync sync`', () => {
  let slapd: Slapd;
  let daemon: Daemon;
  const prefix = uniquePrefix('synccli');
  const logs: string[] = [];

  beforeAll(async () => {
    slapd = await startSlapd({ users: 300, groups: 3 });
    const config = parseConfig({
      sources: [
        { id: 'scim', kind: 'scim' },
        slapdSource(slapd, 'corp', 'LDAP_PW'),
      ],
      workspaces: [{ id: 'eng', name: 'Eng', roles: { viewer: [{ source: 'corp', group: 'group1' }] } }],
    });
    const sink = new Writable({ write(c, _e, cb) { logs.push(String(c)); cb(); } });
    daemon = await startDaemon({
      settings: { ...readSettings({}), port: 0, redisUrl: TEST_REDIS_URL, queuePrefix: prefix, adminToken: TOKEN },
      config,
      roles: { http: true, worker: true, scheduler: true },
      logger: createLogger({ destination: sink }),
      db: await createPgliteDb(),
      env: { LDAP_PW: slapd.password },
    });
  }, 60_000);
  afterAll(async () => {
    await daemon?.close();
    await daemon?.db.close();
    await slapd?.stop();
    const redis = testRedis();
    await deletePrefix(redis, `{${prefix}}`);
    await redis.quit();
  });

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${daemon.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('`idsync sync corp --full` runs it and prints a summary; exit code 0', async () => {
    const cli = runCli(['sync', 'corp', '--full'], { IDSYNC_URL: daemon.url as string, IDSYNC_ADMIN_TOKEN: TOKEN });
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/status\s+succeeded/);
    expect(cli.output()).toMatch(/created\s+300/);
    expect(cli.output()).toMatch(/mode\s+full/);
  });

  it('POST /sources/{id}/sync → 202, a second one while it is queued → 409; runs are listed newest first', async () => {
    const first = await api('POST', '/sources/corp/sync', { mode: 'full' });
    expect(first.status).toBe(202);
    const { run } = (await first.json()) as { run: { id: string; status: string } };
    expect(run.status).toBe('queued');
    const second = await api('POST', '/sources/corp/sync', { mode: 'delta' });
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('run_in_progress');
    await waitFor(async () => {
      const r = (await (await api('GET', `/sources/corp/runs/${run.id}`)).json()) as { run: { status: string } };
      return r.run.status === 'succeeded' ? true : undefined;
    }, 30_000, 'the run to finish');
    const runs = (await (await api('GET', '/sources/corp/runs?limit=1')).json()) as { runs: Array<{ id: string; counts: { unchanged: number } }>; next: string | null };
    expect(runs.runs[0]?.id).toBe(run.id);
    expect(runs.runs[0]?.counts.unchanged).toBe(300);
    expect(runs.next).not.toBeNull();
    const older = (await (await api('GET', `/sources/corp/runs?limit=5&cursor=${runs.next}`)).json()) as { runs: Array<{ id: string }> };
    expect(older.runs).toHaveLength(1);
    expect(older.runs[0]?.id).not.toBe(run.id);
  });

  it('refuses to sync a pushed source or an unknown one', async () => {
    expect((await api('POST', '/sources/scim/sync', {})).status).toBe(400);
    expect((await api('POST', '/sources/nope/sync', {})).status).toBe(404);
    expect((await api('POST', '/sources/corp/sync', { mode: 'sideways' })).status).toBe(400);
  });

  it('`idsync status` shows the queues and each source\'s health and last run', async () => {
    const cli = runCli(['status'], { IDSYNC_URL: daemon.url as string, IDSYNC_ADMIN_TOKEN: TOKEN });
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/changes\s+\d+/);
    expect(cli.output()).toMatch(/corp\s+ldap\s+ok\s+full succeeded/);
    expect(cli.output()).toMatch(/scim\s+scim\s+ok\s+never/);
  });

  it('on a TTY, `idsync sync` shows live progress', async () => {
    const env = { ...process.env, IDSYNC_URL: daemon.url as string, IDSYNC_ADMIN_TOKEN: TOKEN };
    const { stdout } = await execFileAsync('script', ['-qec', `${process.execPath} --import tsx src/cli.ts sync corp --full`, '/dev/null'], { env });
    expect(stdout).toContain('\x1b[K');
    expect(stdout).toMatch(/corp full: \S+\s+\d+ entries read/);
    expect(stdout).toMatch(/status\s+succeeded/);
  });
});
