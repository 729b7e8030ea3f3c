import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { IdsyncError } from '../errors.js';

const run = promisify(execFile);

/** The data directory holds files but no database: neither a fresh start nor a resume is safe. */
export class PgliteDataDirError extends IdsyncError<'pglite_data_dir'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('pglite_data_dir', message, options);
  }
}

// Runs in a child `node`: PGlite creates and initialises the directory, then closes it.
const INITDB_SCRIPT = `const { PGlite } = require(process.argv[1]);
PGlite.create(process.argv[2]).then((pg) => pg.close()).catch((e) => { console.error(e); process.exit(1); });`;

/**
 * Makes `dir` a PGlite data directory if it is not one yet.
 *
 * initdb runs in a child process: in this process it would leave two more PostgreSQL instances'
 * heaps (the initdb program's and a second server's) for the garbage collector, which an idle
 * daemon may not run for hours. The child initialises a sibling
 * directory that is renamed into place when complete, so a `kill -9` during the first start
 * leaves no half-made database behind: the next start begins again.
 */
export async function ensurePgliteDataDir(dir: string): Promise<void> {
  const parent = path.dirname(dir);
  const base = path.basename(dir);
  await mkdir(parent, { recursive: true });
  // Left by an initialisation that was killed; the caller holds the data directory's lock.
  for (const entry of await readdir(parent)) {
    if (entry.startsWith(`${base}.init-`)) await rm(path.join(parent, entry), { recursive: true, force: true });
  }
  if (existsSync(path.join(dir, 'PG_VERSION'))) return;
  if (existsSync(dir)) {
    if ((await readdir(dir)).length > 0) throw new PgliteDataDirError(`${dir} holds files but no database (no PG_VERSION); move it away to start afresh`);
    await rmdir(dir);
  }
  const staging = path.join(parent, `${base}.init-${randomBytes(4).toString('hex')}`);
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  try {
    await run(process.execPath, ['-e', INITDB_SCRIPT, pglite, staging], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new PgliteDataDirError(`could not initialise the embedded database in ${dir}`, { cause: error });
  }
  await rename(staging, dir);
}
