/**
 * bench:preview — `POST /rules/preview` over 100,000 people (each with a source account in two of
 * 101 groups, and rule grants in 5 workspaces), on PostgreSQL, and on the embedded store with
 * BENCH_STORE=pglite. Observed and granted state are seeded in SQL, as the running rules would grant
 * them (a preview of the running rules changes nothing: checked). Measured: the preview of a
 * candidate that promotes a group and removes a rule (2,000 changes), and of one that changes every
 * person (a new workspace for everyone, one workspace's rules gone: 200,000 changes), through HTTP.
 * Besides wall time, the CPU time the preview took (this process, and PostgreSQL's server processes).
 * BENCH_PEOPLE adjusts the size.
 */
import { readFile } from 'node:fs/promises';
import { createPgliteDb } from '../../src/store/pglite.js';
import { migrate } from '../../src/store/migrate.js';
import { createPostgresDb } from '../../src/store/postgres.js';
import type { Db } from '../../src/store/db.js';
import type { RulesPreview } from '../../src/explain/preview-rules.js';
import { startAdminApp } from '../helpers/admin-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { reportFigure } from './figure.js';

const PEOPLE = Number(process.env['BENCH_PEOPLE'] ?? 100_000);
const STORE = process.env['BENCH_STORE'] === 'pglite' ? 'pglite' : 'postgres';
const WORKSPACES = 5;
const GROUPS = 100;

const workspace = (w: number, roles: Record<string, Array<{ source: string; group: string }>>) => ({ id: `ws${w}`, name: `Workspace ${w}`, roles });
const running = Array.from({ length: WORKSPACES }, (_, w) => workspace(w, { admin: [{ source: 'bench', group: `g${w}` }], editor: [{ source: 'bench', group: `g${w + 5}` }], viewer: [{ source: '*', group: 'all' }] }));
const CONFIG = { organization: { internalDomains: ['example.com'] }, sources: [{ id: 'bench', kind: 'scim' }], workspaces: running };

/** ws0 promotes its editors' group (g5) to admin; ws1 loses its admin rule (g1): 2,000 role changes. */
const SMALL = { workspaces: running.map((w, i) => (i === 0 ? workspace(0, { admin: [{ source: 'bench', group: 'g0' }, { source: 'bench', group: 'g5' }], viewer: [{ source: '*', group: 'all' }] }) : i === 1 ? workspace(1, { editor: [{ source: 'bench', group: 'g6' }], viewer: [{ source: '*', group: 'all' }] }) : w)) };
/** A new workspace for everyone, and ws4's rules gone: every person changes twice. */
const LARGE = { workspaces: [...running.slice(0, 4), workspace(4, {}), workspace(5, { viewer: [{ source: '*', group: 'all' }] })] };

function cpuText(cpu: { node: number; postgres: number }): string {
  return `${cpu.node.toFixed(2)} s idsync + client, ${cpu.postgres.toFixed(2)} s PostgreSQL`;
}

async function seed(db: Db): Promise<void> {
  const n = PEOPLE;
  await db.query(`insert into sources (id, kind) values ('bench', 'scim') on conflict do nothing`);
  await db.query(
    `insert into source_users (source_id, id, external_id, user_name, email, active, content_hash)
     select 'bench', md5('u' || i)::uuid, 'u' || i, 'user' || i || '@example.com', 'user' || i || '@example.com', true, 'h'
       from generate_series(0, $1::int - 1) i`,
    [n],
  );
  await db.query(
    `insert into source_groups (source_id, id, external_id, display_name, content_hash)
     select 'bench', md5('g' || k)::uuid, 'g' || k, 'g' || k, 'h' from generate_series(0, $1::int - 1) k
     union all select 'bench', md5('all')::uuid, 'all', 'all', 'h'`,
    [GROUPS],
  );
  await db.query(
    `insert into source_group_members (source_id, group_id, user_id)
     select 'bench', md5('g' || (i % $2::int))::uuid, md5('u' || i)::uuid from generate_series(0, $1::int - 1) i
     union all select 'bench', md5('all')::uuid, md5('u' || i)::uuid from generate_series(0, $1::int - 1) i`,
    [n, GROUPS],
  );
  await db.query(
    `insert into people (id, email, kind) select md5('p' || i)::uuid, 'user' || i || '@example.com', 'internal' from generate_series(0, $1::int - 1) i`,
    [n],
  );
  await db.query(
    `insert into person_links (source_id, source_user_id, person_id) select 'bench', md5('u' || i)::uuid, md5('p' || i)::uuid from generate_series(0, $1::int - 1) i`,
    [n],
  );
  // What the running rules grant: admin for g<w>, editor for g<w+5>, everyone else viewer.
  await db.query(
    `insert into memberships (person_id, workspace_id, origin, role, status, source_id, rule, granted_by)
     select md5('p' || i)::uuid, 'ws' || w, 'rules',
            case i % $2::int when w then 'admin' when w + 5 then 'editor' else 'viewer' end, 'active', 'bench',
            case i % $2::int when w then 'admin: bench/g' || w when w + 5 then 'editor: bench/g' || (w + 5) else 'viewer: */all' end, 'source:bench'
       from generate_series(0, $1::int - 1) i, generate_series(0, $3::int - 1) w`,
    [n, GROUPS, WORKSPACES],
  );
  await db.exec('analyze');
}

/**
 * CPU seconds spent so far by this process and, on PostgreSQL, by the server processes of the bench's
 * database (read from /proc: the server runs on this machine). Wall time on a machine shared with
 * other work says little; the CPU a preview costs says what it takes on an idle one.
 */
async function cpuSeconds(q: Db): Promise<{ node: number; postgres: number }> {
  const own = process.cpuUsage();
  let postgres = 0;
  if (q.kind === 'postgres') {
    const pids = await q.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database()');
    for (const { pid } of pids.rows) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      postgres += (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
    }
  }
  return { node: (own.user + own.system) / 1e6, postgres };
}

let database: TestDatabase | undefined;
let db: Db;
if (STORE === 'pglite') {
  db = await createPgliteDb();
} else {
  database = await createTestDatabase();
  db = createPostgresDb({ connectionString: database.url, max: 4 });
}
try {
  await migrate(db);
  const seeding = performance.now();
  const app = await startAdminApp(db, CONFIG);
  await seed(db);
  console.log(`seeded ${PEOPLE} people in ${((performance.now() - seeding) / 1000).toFixed(1)} s (${STORE})`);
  try {
    const preview = async (candidate: unknown): Promise<{ seconds: number; cpu: { node: number; postgres: number }; body: RulesPreview; bytes: number }> => {
      const cpu0 = await cpuSeconds(db);
      const started = performance.now();
      const res = await app.call<RulesPreview>('POST', '/rules/preview', { body: candidate });
      const seconds = (performance.now() - started) / 1000;
      const cpu1 = await cpuSeconds(db);
      if (res.status !== 200) throw new Error(`preview answered ${res.status}: ${res.text.slice(0, 300)}`);
      return { seconds, cpu: { node: cpu1.node - cpu0.node, postgres: cpu1.postgres - cpu0.postgres }, body: res.body, bytes: res.text.length };
    };
    const same = await preview({ workspaces: running });
    const t = same.body.totals;
    if (same.body.people !== PEOPLE || t.granted + t.roleChanged + t.suspended !== 0 || t.unchanged !== PEOPLE * WORKSPACES) {
      throw new Error(`the running rules should change nothing: ${JSON.stringify(same.body.totals)}`);
    }
    console.log(`running rules (no change)  : ${same.seconds.toFixed(2)} s (CPU: ${cpuText(same.cpu)})`);
    for (const [name, candidate] of [['promote a group, remove a rule', SMALL], ['every person changes', LARGE]] as const) {
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await preview(candidate));
      const median = [...runs].sort((a, b) => a.seconds - b.seconds)[1] as (typeof runs)[number];
      const best = median.seconds;
      const body = median.body;
      console.log(`${name.padEnd(27)}: ${best.toFixed(2)} s median of 3, CPU ${cpuText(median.cpu)} (${body.changes.length} changes, ${JSON.stringify(body.totals)}, ${(median.bytes / 1048576).toFixed(1)} MB answer)`);
      reportFigure({ bench: 'preview', name: `rules preview on ${PEOPLE / 1000}k people, ${name} (${STORE})`, value: best, unit: 's', better: 'lower' });
    }
    console.log(`peak RSS                   : ${Math.round((process.resourceUsage().maxRSS * 1024) / 1048576)} MB`);
  } finally {
    await app.close();
  }
} finally {
  await db.close();
  await database?.drop();
}
