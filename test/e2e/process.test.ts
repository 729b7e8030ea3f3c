import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { freePort, runCli, waitFor, type RunningProcess } from '../helpers/process.js';

describe('the idsync process', () => {
  let dir: string;
  let database: TestDatabase;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'idsync-e2e-'));
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('an invalid config stops the start with exit code 2 and every problem by its path', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(
      file,
      ['sources:', '  - { id: scim, kind: scim, tokenEnv: "bad name" }', 'workspaces:', '  - id: a', '    name: A', '    roles:', '      admin: [{ source: scim }]', 'lifecycle: { inactivity: soon }', ''].join('\n'),
    );
    const run = runCli(['start'], { IDSYNC_CONFIG: file, IDSYNC_DATA_DIR: dir });
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain(`invalid configuration in ${file}`);
    expect(run.output()).toContain('sources[0].tokenEnv: must be an environment variable name');
    expect(run.output()).toContain('workspaces[0].roles.admin[0]: a rule needs one of group, appRole or attribute');
    expect(run.output()).toContain('lifecycle.inactivity: must be an ISO-8601 duration');
  });

  it('Redis unreachable at start: one clear error naming REDIS_URL, non-zero exit', async () => {
    const port = await freePort();
    const run = runCli(['start'], { REDIS_URL: `redis://:hunter2@127.0.0.1:${port}`, IDSYNC_DATA_DIR: dir, PORT: '0' });
    const code = await run.exited;
    expect(code).toBe(1);
    expect(run.output()).toContain(`cannot reach Redis at REDIS_URL=redis://:***@127.0.0.1:${port}`);
    expect(run.output()).not.toContain('hunter2');
  });

  it('starts on PostgreSQL, serves, and on SIGTERM stops cleanly within 10 s', async () => {
    const port = await freePort();
    const prefix = uniquePrefix('proc');
    const run = runCli(['start'], {
      REDIS_URL: TEST_REDIS_URL,
      DATABASE_URL: database.url,
      PORT: String(port),
      IDSYNC_QUEUE_PREFIX: prefix,
      IDSYNC_ADMIN_TOKEN: 'admin-secret-token',
      IDSYNC_CONFIG: 'config/default.yaml',
    });
    try {
      await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined), 30_000, 'readyz');
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/workspaces`, { headers: { authorization: 'Bearer admin-secret-token' } });
      expect(await res.json()).toMatchObject({ workspaces: [{ id: 'default', name: 'Default workspace' }], next: null });
      const started = Date.now();
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      const lines = run.output().split('\n').filter((l) => l.startsWith('{'));
      expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(expect.arrayContaining(['idsync started', 'shutting down', 'stopped']));
      expect(run.output()).not.toContain('admin-secret-token');
    } finally {
      run.child.kill('SIGKILL');
      const redis = testRedis();
      await deletePrefix(redis, `{${prefix}}`);
      await redis.quit();
    }
  });
});

describe('start-up errors a person can act on', () => {
  let dir: string;
  let database: TestDatabase;
  /** One embedded store for the port and the held-directory tests: a fresh one takes ~10-20 s to create here. */
  let dataDir: string;
  const prefix = uniquePrefix('startup');
  const ADMIN = 'startup-admin-token';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'idsync-startup-'));
    dataDir = path.join(dir, 'data');
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await database?.drop();
    const redis = testRedis();
    await deletePrefix(redis, `{${prefix}}`);
    await redis.quit();
  });

  /** `idsync start` on the embedded store in `dataDir`. */
  const start = (dataDir: string, env: Record<string, string> = {}): RunningProcess =>
    runCli(['start'], { REDIS_URL: TEST_REDIS_URL, IDSYNC_DATA_DIR: dataDir, IDSYNC_QUEUE_PREFIX: prefix, IDSYNC_ADMIN_TOKEN: ADMIN, IDSYNC_CONFIG: 'config/default.yaml', ...env });
  const api = (port: number, method: string, route: string, body?: unknown) =>
    fetch(`http://127.0.0.1:${port}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const ready = (port: number) => waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined), 60_000, 'readyz');
  const exists = (file: string) => access(file).then(() => true, () => false);
  /** Exactly one line on stderr, and no stack anywhere. */
  const expectOneLine = (run: RunningProcess, line: string) => {
    expect(run.errors()).toBe(`${line}\n`);
    expect(run.output()).not.toMatch(/^\s+at /m);
  };

  it('a port already in use: one line naming HOST:PORT and EADDRINUSE, exit 1, the data directory released', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = start(dataDir, { PORT: String(port) });
      expect(await run.exited).toBe(1);
      expectOneLine(run, `idsync: cannot listen on HOST:PORT=127.0.0.1:${port}: EADDRINUSE (the address is already in use)`);
      expect(await exists(path.join(dataDir, 'idsync.lock'))).toBe(false);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('an address not on this machine: one line naming HOST:PORT and EADDRNOTAVAIL, exit 1', async () => {
    const run = start(path.join(dir, 'unused'), { DATABASE_URL: database.url, HOST: '192.0.2.1', PORT: '8080' }); // TEST-NET-1, never local
    expect(await run.exited).toBe(1);
    expectOneLine(run, 'idsync: cannot listen on HOST:PORT=192.0.2.1:8080: EADDRNOTAVAIL (no such address on this machine)');
  });

  it('a data directory held by a running idsync: one line naming IDSYNC_DATA_DIR and the holder, exit 1; the holder and its data carry on', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const holder = start(dataDir, { PORT: String(portA) });
    try {
      await ready(portA);
      expect((await api(portA, 'POST', '/workspaces', { id: 'before', name: 'Before' })).status).toBe(201);

      const second = start(dataDir, { PORT: String(portB) });
      expect(await second.exited).toBe(1);
      expectOneLine(second, `idsync: IDSYNC_DATA_DIR=${dataDir} is in use by another idsync (pid ${holder.child.pid}); its lock is ${path.join(dataDir, 'idsync.lock')}`);

      expect((await api(portA, 'POST', '/workspaces', { id: 'after', name: 'After' })).status).toBe(201);
      holder.child.kill('SIGTERM');
      expect(await holder.exited).toBe(0);
      expect(await exists(path.join(dataDir, 'idsync.lock'))).toBe(false); // released on a clean shutdown
    } finally {
      holder.child.kill('SIGKILL');
    }

    const again = start(dataDir, { PORT: String(portB) });
    try {
      await ready(portB);
      const { workspaces } = (await (await api(portB, 'GET', '/workspaces')).json()) as { workspaces: { id: string }[] };
      expect(workspaces.map((w) => w.id).sort()).toEqual(['after', 'before', 'default']);
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    } finally {
      again.child.kill('SIGKILL');
    }
  });

  it('a data directory that cannot be created (a path under a regular file, ENOTDIR even for root): one line, exit 1', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'not a directory\n');
    const run = start(path.join(file, 'data'), { PORT: '0' });
    expect(await run.exited).toBe(1);
    expectOneLine(run, `idsync: IDSYNC_DATA_DIR=${path.join(file, 'data')} is not usable: ENOTDIR (a part of the path is a file, not a directory)`);
  });
});
