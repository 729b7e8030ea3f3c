import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { createPgliteDb } from '../../src/store/pglite.js';
import { createPostgresDb } from '../../src/store/postgres.js';

/** The server tests create their databases on (trust auth). `.ci/run` makes sure it runs. */
export const TEST_PG_ADMIN_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type StoreKind = 'postgres' | 'pglite';
export const STORE_KINDS: StoreKind[] = ['postgres', 'pglite'];

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database with a unique name. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `idsync_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface TestStore {
  db: Db;
  kind: StoreKind;
  /** PostgreSQL only: the URL of the test database, for a second connection. */
  url: string | undefined;
  close(): Promise<void>;
}

/** A migrated store of the given kind: a unique PostgreSQL database, or an in-memory PGlite. */
export async function openTestStore(kind: StoreKind, options: { poolSize?: number } = {}): Promise<TestStore> {
  if (kind === 'pglite') {
    const db = await createPgliteDb();
    await migrate(db);
    return { db, kind, url: undefined, close: () => db.close() };
  }
  const database = await createTestDatabase();
  const db = createPostgresDb({ connectionString: database.url, max: options.poolSize ?? 10 });
  await migrate(db);
  return {
    db,
    kind,
    url: database.url,
    async close() {
      await db.close();
      await database.drop();
    },
  };
}
