/**
 * bench:embedded — the daemon as a user runs it (`idsync start`, its own process, default config)
 * on the embedded store (no DATABASE_URL: PGlite in a fresh IDSYNC_DATA_DIR) and on PostgreSQL,
 * the same steps for both, one after the other in one run:
 *   1. start, wait for /readyz, let it settle: RSS idle (the embedded store's first start runs initdb);
 *   2. 10,000 users by SCIM POST at concurrency 20: POST req/s; then until the `changes` queue is
 *      empty (every user reconciled): users/s end to end, and RSS;
 *   3. filtered GET /Users?filter=userName eq "…" at 50 connections: GET req/s, then RSS and peak RSS;
 *   4. SIGTERM (it must stop), and for the embedded store a restart on the same data: RSS idle again.
 * RSS is the daemon process's (/proc, Linux). In PostgreSQL mode the database's own memory is
 * elsewhere: the backends serving this database are printed beside it (PSS, shared memory split).
 * A server running with autovacuum off (as a test server may) gets an ANALYZE of the database every
 * 10 s from the bench, what the embedded store does for itself: without it, prepared statements
 * settle on generic plans made without statistics, which is not how PostgreSQL runs in production.
 * Prints measured figures only. BENCH_USERS, BENCH_DURATION (s), BENCH_STORES (pglite,postgres),
 * BENCH_ROUNDS adjust it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import pg from 'pg';
import { bullPrefix, QUEUE_NAMES } from '../../src/queue/names.js';
import { changeBacklog, untilDrained } from '../helpers/change-backlog.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/process.js';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis.js';
import { reportFigure } from './figure.js';

const USERS = Number(process.env['BENCH_USERS'] ?? 10_000);
const DURATION = Number(process.env['BENCH_DURATION'] ?? 10);
const STORES = (process.env['BENCH_STORES'] ?? 'pglite,postgres').split(',') as Store[];
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 1);
const POST_CONNECTIONS = 20;
const GET_CONNECTIONS = 50;
const SETTLE_MS = 5000;
const TOKEN = 'bench-embedded-token';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

type Store = 'pglite' | 'postgres';

interface Measured {
  store: Store;
  startMs: number;
  idleMb: number;
  postRps: number;
  reconciledPerSecond: number;
  afterPostMb: number;
  getRps: number;
  afterGetMb: number;
  peakMb: number;
  stopMs: number;
  restartIdleMb?: number;
  postgresPssMb?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmRSS and VmHWM (peak) of a process, in MB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

/** Proportional set size of the PostgreSQL backends connected to `database`, in MB. */
async function postgresPss(url: string, database: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
    let kb = 0;
    for (const { pid } of r.rows) {
      try {
        kb += Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
      } catch {
        return undefined; // another user's processes, or not Linux
      }
    }
    return Math.round(kb / 1024);
  } finally {
    await client.end();
  }
}

interface Daemon {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

async function startDaemon(env: Record<string, string>, logFile: string): Promise<{ daemon: Daemon; startMs: number }> {
  const port = await freePort();
  const started = performance.now();
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [CLI, 'start'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', PORT: String(port), IDSYNC_SCIM_TOKEN: TOKEN, ...env },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`idsync start exited ${child.exitCode}; see ${logFile}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (performance.now() - started > 120_000) throw new Error(`idsync start not ready after 120 s; see ${logFile}`);
    await sleep(50);
  }
  return { daemon: { child, url, exited }, startMs: performance.now() - started };
}

/** SIGTERM; the milliseconds it took to exit. */
async function stopDaemon(daemon: Daemon): Promise<number> {
  const started = performance.now();
  daemon.child.kill('SIGTERM');
  const code = await daemon.exited;
  if (code !== 0) throw new Error(`idsync start exited ${code} on SIGTERM`);
  return performance.now() - started;
}

async function postUsers(url: string): Promise<number> {
  let n = 0;
  const result = await autocannon({
    url,
    connections: POST_CONNECTIONS,
    amount: USERS,
    requests: [
      {
        setupRequest: (req) => {
          const i = n++;
          return {
            ...req,
            method: 'POST',
            path: '/scim/v2/Users',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
            body: JSON.stringify({
              schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
              userName: `user${i}@example.com`,
              externalId: `ext-${i}`,
              name: { givenName: 'Given', familyName: `Family ${i}` },
              emails: [{ value: `user${i}@example.com`, type: 'work', primary: true }],
              active: true,
            }),
          };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors + result.timeouts > 0) throw new Error(`POST: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  return result.requests.total / (result.duration || 1);
}

/** Waits until the daemon's `changes` queue has nothing waiting or running, twice in a row. */
async function drained(prefix: string): Promise<void> {
  const redis = testRedis();
  const queue = new Queue(QUEUE_NAMES.changes, { connection: redis, prefix: bullPrefix(prefix) });
  try {
    await untilDrained(() => changeBacklog(queue), { pollMs: 250, timeoutMs: 900_000 });
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** ANALYZE every 10 s while autovacuum is off on the server; returns the stop function. */
async function analyzeWhileAutovacuumOff(url: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const setting = await client.query<{ autovacuum: string }>('show autovacuum');
  if (setting.rows[0]?.autovacuum !== 'off') {
    await client.end();
    return async () => {};
  }
  console.log('  (autovacuum is off on this server: the bench runs ANALYZE every 10 s in its place)');
  let running = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => client.query('analyze')).then(
      () => {},
      () => {},
    );
  }, 10_000);
  return async () => {
    clearInterval(timer);
    await running;
    await client.end();
  };
}

async function filteredGets(url: string, duration: number): Promise<number> {
  const result = await autocannon({
    url,
    connections: GET_CONNECTIONS,
    duration,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          method: 'GET',
          headers: { authorization: `Bearer ${TOKEN}` },
          path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "user${Math.floor(Math.random() * USERS)}@example.com"`)}`,
        }),
      },
    ],
  });
  if (result.non2xx > 0) throw new Error(`GET: ${result.non2xx} non-2xx`);
  // Requests still in flight when the time is up end as errors; more than that is a failure.
  if (result.errors + result.timeouts > GET_CONNECTIONS) throw new Error(`GET: ${result.errors} errors, ${result.timeouts} timeouts`);
  return result.requests.average;
}

async function measure(store: Store): Promise<Measured> {
  const dir = mkdtempSync(path.join(tmpdir(), 'idsync-bench-embedded-'));
  const prefix = uniquePrefix('bench-embedded');
  let database: TestDatabase | undefined;
  let daemon: Daemon | undefined;
  let stopAnalyze = async () => {};
  try {
    const env: Record<string, string> = { IDSYNC_DATA_DIR: path.join(dir, 'data'), IDSYNC_QUEUE_PREFIX: prefix };
    if (store === 'postgres') {
      database = await createTestDatabase();
      env['DATABASE_URL'] = database.url;
      stopAnalyze = await analyzeWhileAutovacuumOff(database.url);
    }
    const log = path.join(dir, 'daemon.log');
    const first = await startDaemon(env, log);
    daemon = first.daemon;
    const pid = daemon.child.pid as number;
    await sleep(SETTLE_MS);
    const idle = memoryOf(pid).rss;
    const loadStarted = performance.now();
    const postRps = await postUsers(daemon.url);
    await drained(prefix);
    const reconciledPerSecond = USERS / ((performance.now() - loadStarted) / 1000);
    const afterPost = memoryOf(pid).rss;
    await filteredGets(daemon.url, 2); // warm-up, not reported
    const getRps = await filteredGets(daemon.url, DURATION);
    const afterGet = memoryOf(pid);
    const pss = database ? await postgresPss(database.url, database.name) : undefined;
    const stopMs = await stopDaemon(daemon);
    const m: Measured = { store, startMs: first.startMs, idleMb: idle, postRps, reconciledPerSecond, afterPostMb: afterPost, getRps, afterGetMb: afterGet.rss, peakMb: afterGet.peak, stopMs };
    if (pss !== undefined) m.postgresPssMb = pss;
    daemon = undefined;
    if (store === 'pglite') {
      const again = await startDaemon(env, log);
      daemon = again.daemon;
      await sleep(SETTLE_MS);
      m.restartIdleMb = memoryOf(again.daemon.child.pid as number).rss;
      await stopDaemon(daemon);
      daemon = undefined;
    }
    return m;
  } finally {
    if (daemon?.child.exitCode === null) daemon.child.kill('SIGKILL');
    await stopAnalyze();
    await database?.drop();
    const redis = testRedis();
    await deletePrefix(redis, prefix).catch(() => {});
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

const label: Record<Store, string> = { pglite: 'embedded (PGlite)', postgres: 'PostgreSQL' };
const results: Measured[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const store of STORES) {
    console.log(`${label[store]}${ROUNDS > 1 ? `, round ${round}` : ''}: idsync start, ${USERS} users by SCIM POST (c=${POST_CONNECTIONS}), filtered GET (c=${GET_CONNECTIONS}, ${DURATION} s)`);
    const m = await measure(store);
    results.push(m);
    console.log(`  ready in ${(m.startMs / 1000).toFixed(1)} s, stopped by SIGTERM in ${Math.round(m.stopMs)} ms; RSS idle ${m.idleMb} MB${m.restartIdleMb === undefined ? '' : ` (restarted on the same data: ${m.restartIdleMb} MB)`}`);
    console.log(`  POST /Users     ${m.postRps.toFixed(0).padStart(6)} req/s   all reconciled at ${m.reconciledPerSecond.toFixed(0)} users/s end to end, RSS then ${m.afterPostMb} MB`);
    console.log(`  filtered GET    ${m.getRps.toFixed(0).padStart(6)} req/s   RSS after ${m.afterGetMb} MB, peak ${m.peakMb} MB`);
    if (m.postgresPssMb !== undefined) console.log(`  PostgreSQL backends of this database: ${m.postgresPssMb} MB PSS (not in the daemon's RSS)`);
  }
}

// The table's figures: the last round, embedded against PostgreSQL measured in the same run.
const last = (store: Store) => results.filter((r) => r.store === store).pop();
const embedded = last('pglite');
const postgres = last('postgres');
if (embedded && postgres) {
  const reference = (value: number) => ({ name: 'PostgreSQL mode', value });
  reportFigure({ bench: 'embedded', name: 'SCIM POST /Users (c=20)', value: embedded.postRps, unit: 'req/s', reference: reference(postgres.postRps), better: 'higher' });
  reportFigure({ bench: 'embedded', name: `${USERS / 1000}k users POSTed and reconciled, end to end`, value: embedded.reconciledPerSecond, unit: 'users/s', reference: reference(postgres.reconciledPerSecond), better: 'higher' });
  reportFigure({ bench: 'embedded', name: 'SCIM filtered GET (c=50)', value: embedded.getRps, unit: 'req/s', reference: reference(postgres.getRps), better: 'higher' });
  reportFigure({ bench: 'embedded', name: 'RSS idle, first start', value: embedded.idleMb, unit: 'MB', reference: reference(postgres.idleMb), better: 'lower' });
  reportFigure({ bench: 'embedded', name: `RSS after ${USERS / 1000}k users reconciled`, value: embedded.afterPostMb, unit: 'MB', reference: reference(postgres.afterPostMb), better: 'lower' });
  reportFigure({ bench: 'embedded', name: 'RSS peak under load', value: embedded.peakMb, unit: 'MB', reference: reference(postgres.peakMb), better: 'lower' });
  console.log(
    `embedded / PostgreSQL: POST ${pct(embedded.postRps, postgres.postRps)}, GET ${pct(embedded.getRps, postgres.getRps)}, RSS idle ${(embedded.idleMb / postgres.idleMb).toFixed(2)} ×, peak ${(embedded.peakMb / postgres.peakMb).toFixed(2)} ×`,
  );
}

function pct(a: number, b: number): string {
  return `${((a / b) * 100).toFixed(0)} %`;
}
