import path from 'node:path';
import { lockDataDir } from './data-dir-lock.js';
import type { Db } from './db.js';
import { createPgliteDb } from './pglite.js';
import { createPostgresDb } from './postgres.js';

export interface OpenStoreOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  poolSize?: number;
}

/**
 * PostgreSQL when `DATABASE_URL` is set, else embedded PGlite persisted in `IDSYNC_DATA_DIR`,
 * which this process locks until the store is closed (a `DataDirError` when it cannot).
 */
export async function openStore(options: OpenStoreOptions): Promise<Db> {
  if (options.databaseUrl) {
    const db = createPostgresDb({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    return db;
  }
  const lock = await lockDataDir(options.dataDir);
  let db: Db;
  try {
    db = await createPgliteDb({ dataDir: path.resolve(options.dataDir, 'pglite') });
  } catch (error) {
    await lock.release();
    throw error;
  }
  return {
    ...db,
    async close() {
      try {
        await db.close();
      } finally {
        await lock.release();
      }
    },
  };
}
