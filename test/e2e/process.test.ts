import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { freePort, runCli, waitFor } from '../helpers/process.js';

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
    expect(run.output()).toContain('workspaces[0].roles.admin[0].group: Required');
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
