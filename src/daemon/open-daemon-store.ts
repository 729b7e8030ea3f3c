import type { Logger } from 'pino';
import type { Settings } from '../config/env.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { openStore } from '../store/open.js';
import { registerConfig } from '../store/registry.js';
import type { Closers } from './closers.js';

export interface OpenDaemonStoreOptions {
  settings: Settings;
  config: Config;
  logger: Logger;
  /** A store the caller opened (tests): migrated here, but closed by its owner. */
  db?: Db;
  closers: Closers;
}

/** Opens the store (unless given one), migrates it and records the config's sources; the store closes last. */
export async function openDaemonStore({ settings, config, logger, db: given, closers }: OpenDaemonStoreOptions): Promise<Db> {
  const db = given ?? (await openStore({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir }));
  try {
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    const registered = await registerConfig(db, config);
    if (registered.parked > 0) logger.info({ parked: registered.parked }, 'the rules changed since the last start: everyone is reconciled again');
  } catch (error) {
    // The migration's error is the one to report; a failure to close on top of it would hide it.
    if (!given) await db.close().catch(() => {});
    throw error;
  }
  if (!given) closers.last(() => db.close());
  return db;
}
