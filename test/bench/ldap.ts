/**
 * bench:ldap — a generated directory of 100,000 users and 1,000 groups (2 groups per user) in a
 * throw-away slapd, synced into PostgreSQL in one process (connector → sync engine → ingest →
 * queue → reconcile workers). Prints, for each step, seconds, entries/s and the process's peak RSS:
 *   (a) the raw ldapts paged read of all users — the floor (read cold at the start);
 *   (b) the first full sync, until every membership is reconciled;
 *   (c) a full run with nothing changed (and the jobs it enqueued), three times, each right after
 *       a raw read, the floor it is measured against: a pair measured a few seconds apart shares
 *       the machine's speed of the moment, which on a shared VM varies by a fifth from minute to
 *       minute; the median of the three ratios is the figure;
 *   (d) a delta run after 1,000 modifications, until reconciled.
 * BENCH_USERS / BENCH_GROUPS shrink it for a quick look; BENCH_PAIRS sets the pairs of (c).
 */
import { pino } from 'pino';
import { Queue } from 'bullmq';
import { SyncService } from '../../src/sync/sync-service.js';
import type { SyncRunView } from '../../src/store/runs/sync-runs.js';
import { createPostgresDb } from '../../src/store/postgres.js';
import { migrate } from '../../src/store/migrate.js';
import { createTestDatabase } from '../helpers/db.js';
import { createPipeline } from '../helpers/pipeline.js';
import { groupDn, rawPagedUserRead, slapdSource, startSlapd, userDn } from '../helpers/slapd.js';
import { reportFigure } from './figure.js';

const USERS = Number(process.env['BENCH_USERS'] ?? 100_000);
const GROUPS = Number(process.env['BENCH_GROUPS'] ?? 1_000);
const MODIFIED = Math.min(1000, USERS);
const PAIRS = Number(process.env['BENCH_PAIRS'] ?? 3);

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const mb = (b: number) => `${Math.round(b / 1048576)} MB`;
const rows: string[] = [];
function report(step: string, seconds: number, entries: number, extra = ''): void {
  const line = `${step.padEnd(44)} ${seconds.toFixed(2).padStart(7)} s ${String(Math.round(entries / seconds)).padStart(8)} entries/s   peak RSS so far ${mb(peak)}${extra ? `   ${extra}` : ''}`;
  rows.push(line);
  console.log(line);
}

let t = performance.now();
const slapd = await startSlapd({ users: USERS, groups: GROUPS, groupsPerUser: 2, timestamp: '20200101000000Z' });
console.log(`slapd loaded with ${USERS} users / ${GROUPS} groups in ${((performance.now() - t) / 1000).toFixed(1)} s`);
const database = await createTestDatabase();
const db = createPostgresDb({ connectionString: database.url, max: 8 });
await migrate(db);
const pipeline = await createPipeline(
  db,
  {
    organization: { internalDomains: ['example.com'] },
    sources: [{ ...slapdSource(slapd, 'corp', 'PW'), maxDeletes: '5%' }],
    workspaces: Array.from({ length: 10 }, (_, w) => ({
      id: `ws${w}`,
      name: `Workspace ${w}`,
      roles: {
        admin: [{ source: 'corp', group: groupDn(w * 100 + 1) }],
        viewer: Array.from({ length: 10 }, (_, k) => ({ source: 'corp', group: `group${w * 100 + k + 2}` })),
      },
    })),
  },
  'benchldap',
);
pipeline.startWorker({ concurrency: 4 });
const queue = new Queue('sync', { connection: pipeline.redis, prefix: pipeline.prefix });
const sync = new SyncService({ db, ingest: pipeline.ingest, config: pipeline.config, env: { PW: slapd.password }, queue, logger: pino({ level: 'silent' }) });
const run = async (mode: 'full' | 'delta'): Promise<SyncRunView> => {
  const r = await sync.execute({ sourceId: 'corp', mode });
  if ('skipped' in r || r.status !== 'succeeded') throw new Error(`run did not succeed: ${JSON.stringify(r)}`);
  return r;
};

try {
  // (a) the floor, cold: ldapts' code not yet optimised, the young generation still small.
  const rawRead = async (): Promise<{ seconds: number; users: number }> => {
    const started = performance.now();
    const users = await rawPagedUserRead(slapd);
    return { seconds: (performance.now() - started) / 1000, users };
  };
  const cold = await rawRead();
  report('(a) raw ldapts paged read of all users', cold.seconds, cold.users, '(cold; (c) is measured against a warm read right before it)');

  // (b) first full sync until reconciled
  t = performance.now();
  const first = await run('full');
  const read = (performance.now() - t) / 1000;
  await pipeline.drain(600_000);
  const b = (performance.now() - t) / 1000;
  const memberships = await db.query<{ n: number }>(`select count(*)::int as n from memberships where status = 'active'`);
  report('(b) first full sync, reconciled', b, USERS, `(run ${read.toFixed(2)} s; ${first.counts.created} users created; ${memberships.rows[0]?.n} memberships)`);
  reportFigure({ bench: 'ldap', name: `first full sync of ${USERS / 1000}k users, reconciled`, value: USERS / b, unit: 'entries/s', reference: { name: 'raw ldapts paged read, cold', value: cold.users / cold.seconds }, better: 'higher' });

  // (c) nothing changed, each run against the raw read just before it
  const ratios: number[] = [];
  const pairs: { run: number; floor: number }[] = [];
  for (let pair = 1; pair <= PAIRS; pair++) {
    const floor = await rawRead();
    report(`(a) raw read before (c) #${pair}`, floor.seconds, floor.users);
    const before = pipeline.publisher.published;
    const jobsBefore = await pipeline.changes.queue.getJobCountByTypes('completed', 'waiting', 'active', 'delayed', 'failed');
    t = performance.now();
    const again = await run('full');
    const c = (performance.now() - t) / 1000;
    const jobs = (await pipeline.changes.queue.getJobCountByTypes('completed', 'waiting', 'active', 'delayed', 'failed')) - jobsBefore;
    ratios.push(c / floor.seconds);
    pairs.push({ run: c, floor: floor.seconds });
    report(`(c) full run, nothing changed #${pair}`, c, USERS, `(${again.counts.unchanged} unchanged, ${pipeline.publisher.published - before} changes published, ${jobs} jobs enqueued; ${(c / floor.seconds).toFixed(2)} × that floor)`);
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  console.log(`(c) / floor: ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${(sorted[Math.floor(sorted.length / 2)] as number).toFixed(2)} ×`);
  // The pair whose ratio is the median: a run and the raw read measured just before it.
  const median = pairs.find((p) => p.run / p.floor === sorted[Math.floor(sorted.length / 2)]) ?? pairs[0];
  if (median) reportFigure({ bench: 'ldap', name: `full run, nothing changed (median of ${PAIRS} pairs)`, value: median.run, unit: 's', reference: { name: 'raw ldapts paged read just before', value: median.floor }, better: 'lower' });

  // (d) a delta after 1,000 modifications
  const ldif = Array.from({ length: MODIFIED }, (_, i) => `dn: ${userDn(1 + i * Math.floor(USERS / MODIFIED))}\nchangetype: modify\nreplace: sn\nsn: Changed${i}\n`).join('\n');
  await slapd.ldapModify(ldif);
  t = performance.now();
  const delta = await run('delta');
  await pipeline.drain(600_000);
  const d = (performance.now() - t) / 1000;
  report('(d) delta after 1,000 modifications, reconciled', d, delta.counts.seen, `(${delta.mode}; ${delta.counts.updated} updated)`);
  reportFigure({ bench: 'ldap', name: `delta after ${MODIFIED} modifications, reconciled`, value: d, unit: 's', better: 'lower' });
  console.log(`peak RSS: ${mb(Math.max(peak, process.resourceUsage().maxRSS * 1024))} (one process: connector, engine, ingest, queue producer and 4 reconcile workers)`);
} finally {
  clearInterval(sampler);
  await queue.close();
  await pipeline.close();
  await db.close();
  await database.drop();
  await slapd.stop();
}
