import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirError, LOCK_FILE, lockDataDir } from './data-dir-lock.js';

/** A process that is alive until killed, and the pid of one that has ended. */
function otherProcess(): { pid: number; stop(): Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  return {
    pid: child.pid as number,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

const holderOf = async (dir: string) => JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8')) as { pid: number; token: string };
const writeLock = (dir: string, pid: number) => writeFile(path.join(dir, LOCK_FILE), JSON.stringify({ pid, token: 'theirs' }));

describe('lockDataDir', () => {
  let root: string;
  let n = 0;
  const fresh = () => path.join(root, `d${n++}`);
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'idsync-lock-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('creates the directory, writes its pid, removes the lock on release and leaves nothing else behind', async () => {
    const dir = fresh();
    const lock = await lockDataDir(dir);
    expect((await holderOf(dir)).pid).toBe(process.pid);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a directory whose lock names a live process, naming it, and leaves that lock alone', async () => {
    const dir = fresh();
    await mkdir(dir);
    const other = otherProcess();
    try {
      await writeLock(dir, other.pid);
      const error = await lockDataDir(dir).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(DataDirError);
      expect(error).toMatchObject({ code: 'data_dir_in_use', message: `IDSYNC_DATA_DIR=${dir} is in use by another idsync (pid ${other.pid}); its lock is ${path.join(dir, LOCK_FILE)}` });
      expect(await holderOf(dir)).toEqual({ pid: other.pid, token: 'theirs' });
      expect(await readdir(dir)).toEqual([LOCK_FILE]);
    } finally {
      await other.stop();
    }
  });

  it('takes over the stale lock of a process that has ended (a crash, SIGKILL)', async () => {
    const dir = fresh();
    const ended = otherProcess();
    await ended.stop();
    const first = await lockDataDir(dir);
    await first.release();
    await writeLock(dir, ended.pid);
    const lock = await lockDataDir(dir);
    expect((await holderOf(dir)).pid).toBe(process.pid);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a lock naming its own pid (a restarted container runs under the same pid)', async () => {
    const dir = fresh();
    const first = await lockDataDir(dir);
    await writeLock(dir, process.pid); // as left by the previous life of this pid
    const lock = await lockDataDir(dir);
    expect((await holderOf(dir)).token).not.toBe('theirs');
    await first.release(); // the earlier holder's release must not remove the new lock
    expect((await holderOf(dir)).pid).toBe(process.pid);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('names IDSYNC_DATA_DIR and the reason when the directory cannot be made (under a regular file: ENOTDIR, also for root)', async () => {
    const file = path.join(root, 'plain-file');
    await writeFile(file, 'x');
    const dir = path.join(file, 'data');
    await expect(lockDataDir(dir)).rejects.toMatchObject({
      code: 'data_dir_unusable',
      message: `IDSYNC_DATA_DIR=${dir} is not usable: ENOTDIR (a part of the path is a file, not a directory)`,
    });
  });
});
