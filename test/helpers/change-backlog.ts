/**
 * What is left of reconciliation, watched from outside as an operator would: change jobs not
 * finished in the `changes` queue, and changes parked in the database until Redis takes them.
 * The chaos harness and the benches wait on it the same way.
 */
import type { Queue } from 'bullmq';
import type { Queryable } from '../../src/store/db.js';

export interface ChangeBacklog {
  /** Waiting, active, delayed, prioritised and waiting-children jobs. */
  jobs: number;
  active: number;
  parked: number;
}

/**
 * @param db the deployment's database; absent when the test cannot reach it (a daemon on its own
 *   embedded store), and then nothing counts as parked.
 */
export async function changeBacklog(queue: Queue, db?: Queryable): Promise<ChangeBacklog> {
  const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
  const parked = db ? await db.query<{ n: number }>('select count(*)::int as n from pending_changes') : undefined;
  const jobs = Object.values(c).reduce((s, n) => s + n, 0);
  return { jobs, active: c['active'] ?? 0, parked: parked?.rows[0]?.n ?? 0 };
}

/**
 * Until nothing is queued, running or parked, twice in a row (a job that finishes may queue or
 * park another). A look that fails — a server being restarted — counts as not drained; after
 * `timeoutMs` (none by default) it throws with the last backlog seen.
 */
export async function untilDrained(backlog: () => Promise<ChangeBacklog>, options: { pollMs: number; timeoutMs?: number }): Promise<void> {
  const timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  let last = '';
  while (quiet < 2) {
    try {
      const b = await backlog();
      last = JSON.stringify(b);
      quiet = b.jobs + b.parked === 0 ? quiet + 1 : 0;
    } catch (error) {
      last = (error as Error).message;
      quiet = 0;
    }
    if (Date.now() > deadline) throw new Error(`not drained after ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
}
