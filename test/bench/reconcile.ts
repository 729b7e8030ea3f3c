/**
 * bench:reconcile — 100,000 user changes ingested and reconciled on PostgreSQL, end to end, in one
 * process (like `idsync start`): ingest batches of 1,000 → `changes` queue → reconcile workers.
 * Prints measured figures only. BENCH_USERS, BENCH_CONCURRENCY and BENCH_DATABASE_URL adjust it.
 */
import { parseConfig } from '../../src/config/load.js';
import { Ingest } from '../../src/ingest/ingest.js';
import { ChangeQueue } from '../../src/queue/change-queue.js';
import { bullPrefix } from '../../src/queue/names.js';
import { startChangeWorker } from '../../src/reconcile/change-worker.js';
import { reconcileContext } from '../../src/reconcile/context.js';
import { migrate } from '../../src/store/migrate.js';
import { createPostgresDb } from '../../src/store/postgres.js';
import { registerConfig } from '../../src/store/registry.js';
import { group, user } from '../helpers/data.js';
import { createTestDatabase } from '../helpers/db.js';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis.js';
import { reportFigure } from './figure.js';

const USERS = Number(process.env['BENCH_USERS'] ?? 100_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 4);
const GROUPS = 100;
const BATCH = 1000;

const config = parseConfig({
  organization: { internalDomains: ['example.com'] },
  sources: [{ id: 'bench', kind: 'scim' }],
  workspaces: Array.from({ length: 5 }, (_, w) => ({
    id: `ws${w}`,
    name: `Workspace ${w}`,
    roles: { admin: [{ source: 'bench', group: `g${w}` }], editor: [{ source: 'bench', group: `g${w + 5}` }], viewer: [{ source: '*', group: 'all' }] },
  })),
});

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

const database = await createTestDatabase();
const db = createPostgresDb({ connectionString: database.url, max: CONCURRENCY + 2 });
const redis = testRedis();
const workerRedis = testRedis();
const prefix = bullPrefix(uniquePrefix('bench'));
try {
  await migrate(db);
  await registerConfig(db, config);
  const changes = new ChangeQueue({ connection: redis, prefix });
  const ingest = new Ingest({ db, changes });
  const ids = Array.from({ length: USERS }, (_, i) => user('bench', i).id);
  // Groups first (members by id), so that each user change is reconciled once, with its groups.
  const groups = Array.from({ length: GROUPS }, (_, k) => group('bench', `g${k}`, ids.filter((_, i) => i % GROUPS === k)));
  groups.push(group('bench', 'all', ids));
  await ingest.writeGroups('bench', groups);

  let reconciled = 0;
  const worker = startChangeWorker({
    connection: workerRedis,
    prefix,
    context: reconcileContext(db, config),
    concurrency: CONCURRENCY,
    onReconciled: (_r, n) => (reconciled += n),
  });

  const started = performance.now();
  for (let i = 0; i < USERS; i += BATCH) {
    await ingest.writeUsers('bench', Array.from({ length: Math.min(BATCH, USERS - i) }, (_, j) => user('bench', i + j)));
  }
  const ingested = performance.now();
  while (reconciled < USERS) await new Promise((r) => setTimeout(r, 10));
  const done = performance.now();
  await worker.close();
  await changes.close();

  const memberships = await db.query<{ n: number }>(`select count(*)::int as n from memberships where status = 'active'`);
  const seconds = (done - started) / 1000;
  console.log(`users ingested+reconciled : ${USERS}`);
  console.log(`ingest phase              : ${((ingested - started) / 1000).toFixed(2)} s (${Math.round(USERS / ((ingested - started) / 1000))} users/s)`);
  console.log(`end to end                : ${seconds.toFixed(2)} s`);
  console.log(`changes/s end to end      : ${Math.round(USERS / seconds)}`);
  console.log(`active memberships        : ${memberships.rows[0]?.n}`);
  console.log(`peak RSS                  : ${Math.round(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1048576)} MB`);
  console.log(`worker concurrency        : ${CONCURRENCY}, store: PostgreSQL, one process`);
  reportFigure({ bench: 'reconcile', name: `${USERS / 1000}k user changes ingested and reconciled, end to end`, value: USERS / seconds, unit: 'changes/s', better: 'higher' });
} finally {
  clearInterval(sampler);
  await deletePrefix(redis, prefix);
  await Promise.all([redis.quit(), workerRedis.quit()]);
  await db.close();
  await database.drop();
}
