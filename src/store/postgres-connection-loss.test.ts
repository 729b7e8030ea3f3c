import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import type { Db } from './db.js';
import { createPostgresDb } from './postgres.js';

/** Another connection ends the backend `pid`, as an administrator's pg_terminate_backend or a restart does. */
async function terminate(url: string, pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query('select pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
}

describe('a transaction whose connection is terminated', () => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = createPostgresDb({ connectionString: database.url, max: 2 });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('between two statements: the transaction fails, the process carries on, the pool serves the next one', async () => {
    // Before the fix the dying connection emitted an 'error' nobody listened to: an uncaught exception.
    await expect(
      db.transaction(async (tx) => {
        const pid = (await tx.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid as number;
        await terminate(database.url, pid);
        await new Promise((r) => setTimeout(r, 200)); // the termination reaches the client while it is idle in the transaction
        await tx.query('select 1');
      }),
    ).rejects.toThrow();
    for (let i = 0; i < 3; i++) expect((await db.transaction((tx) => tx.query<{ n: number }>('select 1 as n'))).rows).toEqual([{ n: 1 }]);
  });

  it('during a statement: the statement fails, and the connection is not handed out again', async () => {
    const pids = new Set<number>();
    await expect(
      db.transaction(async (tx) => {
        const pid = (await tx.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid as number;
        pids.add(pid);
        setTimeout(() => void terminate(database.url, pid), 200);
        await tx.query('select pg_sleep(5)');
      }),
    ).rejects.toThrow();
    const after = await db.transaction(async (tx) => (await tx.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid);
    expect(pids.has(after as number)).toBe(false);
  });
});
