import path from 'node:path';
import type { Db } from './db.js';
import { createPgliteDb } from './pglite.js';
import { createPostgresDb } from './postgres.js';

export interface OpenStoreOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  poolSize?: number;
}

/** PostgreSQL when `DATABASE_URL` is set, else embedded PGlite persisted in `IDSYNC_DATA_DIR`. */
export async function openStore(options: OpenStoreOptions): Promise<Db> {
  if (options.databaseUrl) {
    const db = createPostgresDb({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    return db;
  }
  return createPgliteDb({ dataDir: path.resolve(options.dataDir, 'pglite') });
}
