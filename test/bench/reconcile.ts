/**
 * bench:reconcile — 100,000 user changes ingested and reconciled on PostgreSQL, end to end:
 * ingest batches of 1,000 → `changes` queue → reconcile workers.
 *
 * By default the workers run in this process (like `idsync start`). With `--workers N` they are N
 * `idsync worker` processes (the built CLI, each with its default concurrency) sharing the queue
 * and the database, as a scaled-out deployment runs them; ingest stays in this process, and the run
 * ends when the queue and the parked changes are empty. Comparing `--workers 1` with `--workers 2`
 * gives the cost and the gain of coordination through Redis and row locks.
 *
 * Prints measured figures only. BENCH_USERS, BENCH_CONCURRENCY (in-process workers) and
 * BENCH_DATABASE_URL adjust it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { parseConfig } from '../../src/config/load.js';
import { Ingest } from '../../src/ingest/ingest.js';
import { ChangeQueue } from '../../src/queue/change-queue.js';
import { bullPrefix, QUEUE_NAMES } from '../../src/queue/names.js';
import { startChangeWorker } from '../../src/reconcile/change-worker.js';
import { BULK_READ_GROWING_PERCENT, duringBulkWork } from '../../src/runtime/heap.js';
import { reconcileContext } from '../../src/reconcile/context.js';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { createPostgresDb } from '../../src/store/postgres.js';
import { registerConfig } from '../../src/store/registry.js';
import { changeBacklog, untilDrained } from '../helpers/change-backlog.js';
import { group, user } from '../helpers/data.js';
import { createTestDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/process.js';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { reportFigure } from './figure.js';

const USERS = Number(process.env['BENCH_USERS'] ?? 100_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 4);
const GROUPS = 100;
const BATCH = 1000;
const { values: args } = parseArgs({ options: { workers: { type: 'string' } } });
const WORKER_PROCESSES = Number(args.workers ?? 0);
if (!Number.isInteger(WORKER_PROCESSES) || WORKER_PROCESSES < 0) throw new Error(`--workers takes a whole number, got ${args.workers}`);

const configInput = {
  organization: { internalDomains: ['example.com'] },
  sources: [{ id: 'bench', kind: 'scim' }],
  workspaces: Array.from({ length: 5 }, (_, w) => ({
    id: `ws${w}`,
    name: `Workspace ${w}`,
    roles: { admin: [{ source: 'bench', group: `g${w}` }], editor: [{ source: 'bench', group: `g${w + 5}` }], viewer: [{ source: '*', group: 'all' }] },
  })),
};
const config = parseConfig(configInput);

/** Reconciles in this process; resolves once `USERS` people are reconciled. */
function inProcessWorkers(db: Db, prefix: string) {
  const connection = testRedis();
  let reconciled = 0;
  const worker = startChangeWorker({ connection, prefix, context: reconcileContext(db, config), concurrency: CONCURRENCY, onReconciled: (_r, n) => (reconciled += n) });
  return {
    label: `in this process, concurrency ${CONCURRENCY}`,
    async done() {
      while (reconciled < USERS) await new Promise((r) => setTimeout(r, 10));
    },
    async close() {
      await worker.close();
      await connection.quit();
    },
  };
}

/** `idsync worker` processes; resolves once nothing is queued, running or parked, twice in a row. */
async function workerProcesses(db: Db, databaseUrl: string, rawPrefix: string, count: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-reconcile-'));
  const configFile = path.join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(configInput)); // YAML is a superset of JSON
  const children: ChildProcess[] = [];
  const started: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, ['dist/src/cli.js', 'worker'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', DATABASE_URL: databaseUrl, REDIS_URL: TEST_REDIS_URL, IDSYNC_QUEUE_PREFIX: rawPrefix, IDSYNC_CONFIG: configFile, PORT: String(await freePort()), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    started.push(
      new Promise((resolve, reject) => {
        let out = '';
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('"msg":"idsync started"')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`idsync worker exited with ${code} before it started:\n${out.slice(-2000)}`)));
      }),
    );
  }
  await Promise.all(started);
  const queueConnection = testRedis();
  const queue = new Queue(QUEUE_NAMES.changes, { connection: queueConnection, prefix: bullPrefix(rawPrefix) });
  const exited = children.map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve())));
  return {
    label: `${count} idsync worker process${count > 1 ? 'es' : ''}, default concurrency each`,
    done: () => untilDrained(() => changeBacklog(queue, db), { pollMs: 10 }),
    async close() {
      for (const c of children) c.kill('SIGTERM');
      await Promise.all(exited);
      await queue.close();
      await queueConnection.quit();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

const database = await createTestDatabase();
const db = createPostgresDb({ connectionString: database.url, max: CONCURRENCY + 2 });
const redis = testRedis();
const rawPrefix = uniquePrefix('bench');
const prefix = bullPrefix(rawPrefix);
try {
  await migrate(db);
  await registerConfig(db, config);
  const changes = new ChangeQueue({ connection: redis, prefix });
  const ingest = new Ingest({ db, changes });
  const ids = Array.from({ length: USERS }, (_, i) => user('bench', i).id);
  // Groups first (members by id), so that each user change is reconciled once, with its groups.
  const groups = Array.from({ length: GROUPS }, (_, k) => group('bench', `g${k}`, ids.filter((_, i) => i % GROUPS === k)));
  groups.push(group('bench', 'all', ids));
  // The writes a sync run makes, under the heap setting its job processor gives it.
  await duringBulkWork(() => ingest.writeGroups('bench', groups), BULK_READ_GROWING_PERCENT);

  const workers = WORKER_PROCESSES === 0 ? inProcessWorkers(db, prefix) : await workerProcesses(db, database.url, rawPrefix, WORKER_PROCESSES);

  const started = performance.now();
  await duringBulkWork(async () => {
    for (let i = 0; i < USERS; i += BATCH) {
      await ingest.writeUsers('bench', Array.from({ length: Math.min(BATCH, USERS - i) }, (_, j) => user('bench', i + j)));
    }
  }, BULK_READ_GROWING_PERCENT);
  const ingested = performance.now();
  await workers.done();
  const done = performance.now();
  await workers.close();
  await changes.close();

  const memberships = await db.query<{ n: number }>(`select count(*)::int as n from memberships where status = 'active'`);
  const seconds = (done - started) / 1000;
  console.log(`users ingested+reconciled : ${USERS}`);
  console.log(`ingest phase              : ${((ingested - started) / 1000).toFixed(2)} s (${Math.round(USERS / ((ingested - started) / 1000))} users/s)`);
  console.log(`end to end                : ${seconds.toFixed(2)} s`);
  console.log(`changes/s end to end      : ${Math.round(USERS / seconds)}`);
  console.log(`active memberships        : ${memberships.rows[0]?.n}`);
  console.log(`peak RSS (this process)   : ${Math.round(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1048576)} MB`);
  console.log(`reconcile workers         : ${workers.label}; store: PostgreSQL`);
  const where = WORKER_PROCESSES === 0 ? '' : `, ${WORKER_PROCESSES} worker process${WORKER_PROCESSES > 1 ? 'es' : ''}`;
  reportFigure({ bench: 'reconcile', name: `${USERS / 1000}k user changes ingested and reconciled, end to end${where}`, value: USERS / seconds, unit: 'changes/s', better: 'higher' });
} finally {
  clearInterval(sampler);
  await deletePrefix(redis, prefix);
  await redis.quit();
  await db.close();
  await database.drop();
}
