import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { IdsyncError } from '../errors.js';

/** The lock file's name inside `IDSYNC_DATA_DIR`. */
export const LOCK_FILE = 'idsync.lock';

/** Why the embedded store's directory cannot be used; the message is one line for the operator. */
export class DataDirError extends IdsyncError<'data_dir_unusable' | 'data_dir_in_use'> {}

export interface DataDirLock {
  /** Removes the lock file, if it is still this process's (never another's that took over). */
  release(): Promise<void>;
}

/** A lock as written: the holder's pid and a token of this acquisition. */
interface Holder {
  pid: number;
  token: string;
}

const REASONS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'it is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
};

/**
 * Makes this process the only user of `dataDir`. PGlite does not lock its directory, and two
 * processes writing one PGlite database corrupt it; so the lock is a file naming the holder's pid.
 *
 * The file is written in full under a name of its own, then hard-linked to `idsync.lock`: the link
 * fails if the lock exists, and a reader never sees a half-written one. A lock whose pid is dead is
 * stale (a crash or SIGKILL) and taken over; so is one naming this process or its parent, as
 * PostgreSQL does for `postmaster.pid`, since a restarted container runs idsync under the same pid.
 * Takeover renames the stale file away first and checks it moved the file it judged, so two
 * processes taking over at once cannot both win.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const dir = path.resolve(dataDir);
  const lockPath = path.join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, token: randomBytes(12).toString('hex') };
  const mine = path.join(dir, `${LOCK_FILE}.${me.pid}.${me.token}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(mine, `${JSON.stringify(me)}\n`, { flag: 'wx' });
  } catch (error) {
    throw unusable(dataDir, error);
  }
  try {
    for (let tries = 0; tries < 5; tries++) {
      try {
        await link(mine, lockPath);
        return { release: () => releaseLock(lockPath, me.token) };
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw unusable(dataDir, error);
      }
      const held = await readHolder(lockPath);
      if (held === 'gone') continue;
      if (held !== undefined && isLive(held.pid)) {
        throw new DataDirError('data_dir_in_use', `IDSYNC_DATA_DIR=${dataDir} is in use by another idsync (pid ${held.pid}); its lock is ${lockPath}`);
      }
      await takeOver(lockPath, held).catch((error: unknown) => {
        throw unusable(dataDir, error);
      });
    }
    throw new DataDirError('data_dir_in_use', `IDSYNC_DATA_DIR=${dataDir} is being locked by other processes at the same time; its lock is ${lockPath}`);
  } finally {
    // Our candidate file, named by its token: one left behind is never taken for a lock.
    await unlink(mine).catch(() => {});
  }
}

/** Moves a stale lock aside; puts it back if what moved was a fresh lock taken meanwhile. */
async function takeOver(lockPath: string, judged: Holder | undefined): Promise<void> {
  const aside = `${lockPath}.stale.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return; // someone else moved it: try again
    throw error;
  }
  const moved = await readHolder(aside);
  const same = moved === judged || (moved !== 'gone' && moved !== undefined && judged !== undefined && moved.token === judged.token);
  // A lock that cannot be put back because a third process took the path meanwhile stays that process's;
  // the aside copy is only ever read by this call.
  if (!same) await link(aside, lockPath).catch(() => {});
  await unlink(aside).catch(() => {});
}

/** The holder named by a lock file; `undefined` when unreadable (taken as stale), `gone` when absent. */
async function readHolder(file: string): Promise<Holder | undefined | 'gone'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'gone';
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as { pid?: unknown; token?: unknown };
    if (typeof parsed.pid === 'number' && Number.isInteger(parsed.pid) && parsed.pid > 0 && typeof parsed.token === 'string') {
      return { pid: parsed.pid, token: parsed.token };
    }
  } catch {
    // not ours, or damaged: stale
  }
  return undefined;
}

function isLive(pid: number): boolean {
  if (pid === process.pid || pid === process.ppid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM'; // alive, under another user
  }
}

async function releaseLock(lockPath: string, token: string): Promise<void> {
  const held = await readHolder(lockPath);
  // A lock file that cannot be removed names a pid that will be dead: the next start takes it over.
  if (held !== 'gone' && held?.token === token) await unlink(lockPath).catch(() => {});
}

function unusable(dataDir: string, error: unknown): DataDirError {
  const code = errorCode(error) ?? 'error';
  const reason = REASONS[code];
  return new DataDirError('data_dir_unusable', `IDSYNC_DATA_DIR=${dataDir} is not usable: ${code}${reason ? ` (${reason})` : ''}`, { cause: error });
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
