/**
 * bench:scim — the SCIM server on PostgreSQL with 100,000 users loaded, driven by autocannon
 * (50 connections, a separate process) — and, in the same run, the ceilings: a bare `node:http`
 * server over a pool of the same size that runs, as a prepared statement as idsync does, the same
 * indexed lookup (`lower(user_name) = lower($1)`) for a GET, and the same row insert for a POST.
 * Measures: filtered `GET /Users?filter=userName eq "…"` (userName varied per request),
 * `POST /Users`, and a one-member `PATCH` of a 50,000-member group, with the CPU each request cost
 * the server process and PostgreSQL (from /proc on Linux). Prints measured figures only.
 * BENCH_USERS, BENCH_DURATION (s), BENCH_CONNECTIONS, BENCH_POOL adjust it.
 */
import { fork } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { pino } from 'pino';
import { reportFigure } from './figure.js';

const USERS = Number(process.env['BENCH_USERS'] ?? 100_000);
const DURATION = Number(process.env['BENCH_DURATION'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const POOL = Number(process.env['BENCH_POOL'] ?? 20);
const GROUP_MEMBERS = Math.min(50_000, Math.floor(USERS / 2));
const TOKEN = 'bench-scim-token';
const GROUP_ID = '00000000-0000-4000-8000-00000000beef';

interface LoadSpec {
  name: string;
  url: string;
  kind: 'get' | 'ceiling' | 'post' | 'ceiling-post' | 'patch';
  connections: number;
  duration: number;
  users: number;
}

interface LoadResult {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

// ---- client mode: a child process that runs autocannon and prints its figures ----
if (process.argv[2] === 'load') {
  const spec = JSON.parse(process.argv[3] ?? '{}') as LoadSpec;
  let n = 0;
  const rand = () => Math.floor(Math.random() * spec.users);
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' };
  const setup = (req: autocannon.Request): autocannon.Request => {
    n++;
    switch (spec.kind) {
      case 'ceiling':
        return { ...req, method: 'GET', path: `/Users?userName=${encodeURIComponent(`USER${rand()}@example.com`)}` };
      case 'get':
        return { ...req, method: 'GET', headers: auth, path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "USER${rand()}@example.com"`)}` };
      case 'post':
      case 'ceiling-post':
        return {
          ...req,
          method: 'POST',
          headers: auth,
          path: spec.kind === 'post' ? '/scim/v2/Users' : '/Users',
          body: JSON.stringify({
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
            userName: `new-${spec.kind}-${process.pid}-${n}@example.com`,
            name: { givenName: 'New', familyName: `User ${n}` },
            emails: [{ value: `new-${spec.kind}-${process.pid}-${n}@example.com`, type: 'work', primary: true }],
            active: true,
          }),
        };
      case 'patch': {
        // A user not yet in the group (users GROUP_MEMBERS.. are not members), each added once.
        const user = userId(GROUP_MEMBERS + ((process.pid * 7919 + n) % (spec.users - GROUP_MEMBERS)));
        return {
          ...req,
          method: 'PATCH',
          headers: auth,
          path: `/scim/v2/Groups/${GROUP_ID}`,
          body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: user }] }] }),
        };
      }
    }
  };
  const result = await autocannon({ url: spec.url, connections: spec.connections, duration: spec.duration, requests: [{ setupRequest: setup }] });
  const out: LoadResult = {
    name: spec.name,
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}

/** A deterministic uuid for user number i. */
function userId(i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

/** CPU milliseconds spent so far by each local PostgreSQL process, by pid (Linux /proc); undefined elsewhere. */
function postgresCpuMs(): Map<string, number> | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  const ticksPerMs = 100 / 1000; // USER_HZ
  const spent = new Map<string, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      spent.set(pid, (Number(fields[11]) + Number(fields[12])) / ticksPerMs);
    } catch {
      // the process ended between listing and reading
    }
  }
  return spent;
}

/** CPU ms spent between two readings; processes that ended in between are not counted. */
function cpuSpent(before: Map<string, number> | undefined, after: Map<string, number> | undefined): number | undefined {
  if (!before || !after) return undefined;
  let ms = 0;
  for (const [pid, now] of after) ms += now - (before.get(pid) ?? 0);
  return ms;
}

function load(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['load', JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as LoadResult) : reject(new Error(`load exited ${code}`))));
  });
}

// ---- main mode ----
const { parseConfig } = await import('../../src/config/load.js');
const { readSettings } = await import('../../src/config/env.js');
const { startDaemon } = await import('../../src/main.js');
const { createPostgresDb } = await import('../../src/store/postgres.js');
const { createTestDatabase } = await import('../helpers/db.js');
const { deletePrefix, testRedis, uniquePrefix } = await import('../helpers/redis.js');

const database = await createTestDatabase();
const db = createPostgresDb({ connectionString: database.url, max: POOL });
const prefix = uniquePrefix('bench-scim');
const results: LoadResult[] = [];
let ceiling: Server | undefined;
let daemon: Awaited<ReturnType<typeof startDaemon>> | undefined;
try {
  daemon = await startDaemon({
    settings: { ...readSettings({}), port: 0, queuePrefix: prefix },
    config: parseConfig({ sources: [{ id: 'bench', kind: 'scim', tokenEnv: 'BENCH_SCIM_TOKEN' }] }),
    roles: { http: true, worker: false, scheduler: false },
    logger: pino({ level: 'info' }, pino.destination('/dev/null')),
    db,
    env: { BENCH_SCIM_TOKEN: TOKEN },
  });
  const started = Date.now();
  await db.query(
    `insert into source_users (source_id, id, external_id, user_name, email, emails, given_name, family_name, display_name, active, attributes, content_hash)
     select 'bench', ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'ext-' || i, 'user' || i || '@example.com', 'user' || i || '@example.com',
            jsonb_build_array(jsonb_build_object('value', 'user' || i || '@example.com', 'type', 'work', 'primary', true)),
            'Given' || i, 'Family' || i, 'User ' || i, true, jsonb_build_object('department', 'D' || (i % 50)), 'bench'
       from generate_series(0, $1 - 1) as i`,
    [USERS],
  );
  await db.query(`insert into source_groups (source_id, id, display_name, content_hash) values ('bench', $1, 'Everyone', 'bench')`, [GROUP_ID]);
  await db.query(
    `insert into source_group_members (source_id, group_id, user_id)
     select 'bench', $1, ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid from generate_series(0, $2 - 1) as i`,
    [GROUP_ID, GROUP_MEMBERS],
  );
  await db.query('analyze');
  console.log(`loaded ${USERS} users and a ${GROUP_MEMBERS}-member group in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // The ceilings: node:http + pg, a pool of the same size, each statement prepared as idsync prepares
  // its own. GET: the same lookup and columns. POST: the body parsed and the same row inserted,
  // without SCIM's validation, the comparison with a stored row or the change published to the queue.
  const pool = new pg.Pool({ connectionString: database.url, max: POOL });
  const lookup = {
    name: 'ceiling_lookup',
    text: `select id, external_id, user_name, emails, given_name, family_name, display_name, company, active, attributes, version, created_at, updated_at
             from source_users where source_id = $1 and lower(user_name) = lower($2) and deleted_at is null`,
  };
  const insert = {
    name: 'ceiling_insert',
    text: `insert into source_users (source_id, id, external_id, user_name, email, emails, given_name, family_name, display_name, company, active, attributes, content_hash)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id, version, created_at, updated_at`,
  };
  const answer = (res: ServerResponse, status: number, value: unknown) => {
    const body = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const failed = (res: ServerResponse) => () => {
    res.writeHead(500);
    res.end();
  };
  ceiling = createServer((req, res) => {
    if (req.method === 'GET') {
      const userName = new URL(req.url ?? '/', 'http://x').searchParams.get('userName') ?? '';
      pool.query({ ...lookup, values: ['bench', userName] }).then((r) => answer(res, 200, r.rows), failed(res));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const u = JSON.parse(text) as { userName: string; name: { givenName: string; familyName: string }; emails: { value: string }[]; active: boolean };
      const email = u.emails[0]?.value ?? null;
      const values = ['bench', randomUUID(), null, u.userName, email, JSON.stringify(u.emails), u.name.givenName, u.name.familyName, null, null, u.active, '{}', createHash('sha256').update(text).digest('hex')];
      pool.query({ ...insert, values }).then((r) => answer(res, 201, r.rows[0]), failed(res));
    });
  });
  await new Promise<void>((resolve) => ceiling?.listen(0, '127.0.0.1', resolve));
  const ceilingUrl = `http://127.0.0.1:${(ceiling.address() as AddressInfo).port}`;
  const scimUrl = daemon.url ?? '';

  const run = async (spec: Omit<LoadSpec, 'users'>) => {
    const serverBefore = process.cpuUsage();
    const postgresBefore = postgresCpuMs();
    const result = await load({ ...spec, users: USERS });
    const server = process.cpuUsage(serverBefore);
    const postgres = cpuSpent(postgresBefore, postgresCpuMs());
    results.push(result);
    const perRequest = (ms: number) => `${((ms * 1000) / Math.max(1, result.requests)).toFixed(0)} µs`;
    console.log(
      `${result.name.padEnd(44)} ${result.rps.toFixed(0).padStart(6)} req/s   p50 ${String(result.p50).padStart(4)} ms   p99 ${String(result.p99).padStart(4)} ms   (${result.requests} requests, ${result.non2xx} non-2xx, ${result.errors} errors)`,
    );
    console.log(
      `${''.padEnd(44)} CPU per request: server ${perRequest((server.user + server.system) / 1000)}${postgres === undefined ? '' : `, PostgreSQL ${perRequest(postgres)}`}`,
    );
    return result;
  };
  // Short warm-ups (JIT, pool connections), not reported.
  await load({ name: 'warm-up', url: ceilingUrl, kind: 'ceiling', connections: CONNECTIONS, duration: 2, users: USERS });
  await load({ name: 'warm-up', url: scimUrl, kind: 'get', connections: CONNECTIONS, duration: 2, users: USERS });

  const bare = await run({ name: 'ceiling: node:http + pg lookup, prepared', url: ceilingUrl, kind: 'ceiling', connections: CONNECTIONS, duration: DURATION });
  const get = await run({ name: 'GET /Users?filter=userName eq "…"', url: scimUrl, kind: 'get', connections: CONNECTIONS, duration: DURATION });
  const bareInsert = await run({ name: 'ceiling: node:http + pg insert, prepared', url: ceilingUrl, kind: 'ceiling-post', connections: CONNECTIONS, duration: DURATION });
  const post = await run({ name: 'POST /Users', url: scimUrl, kind: 'post', connections: CONNECTIONS, duration: DURATION });
  const patch = await run({ name: `PATCH one member, ${GROUP_MEMBERS}-member group (c=${CONNECTIONS})`, url: scimUrl, kind: 'patch', connections: CONNECTIONS, duration: DURATION });
  await run({ name: `PATCH one member, ${GROUP_MEMBERS}-member group (c=1)`, url: scimUrl, kind: 'patch', connections: 1, duration: Math.max(3, Math.round(DURATION / 2)) });
  console.log(`filtered GET / ceiling: ${((get.rps / bare.rps) * 100).toFixed(0)} %; POST / ceiling: ${((post.rps / bareInsert.rps) * 100).toFixed(0)} %`);
  const users = `${USERS / 1000}k users, c=${CONNECTIONS}`;
  reportFigure({ bench: 'scim', name: `filtered GET /Users (${users})`, value: get.rps, unit: 'req/s', reference: { name: 'node:http + prepared lookup', value: bare.rps }, better: 'higher' });
  reportFigure({ bench: 'scim', name: `POST /Users (${users})`, value: post.rps, unit: 'req/s', reference: { name: 'node:http + prepared insert', value: bareInsert.rps }, better: 'higher' });
  reportFigure({ bench: 'scim', name: `PATCH one member of ${GROUP_MEMBERS / 1000}k (c=${CONNECTIONS})`, value: patch.rps, unit: 'req/s', better: 'higher' });
  const members = await db.query<{ n: number }>('select count(*)::int as n from source_group_members where group_id = $1', [GROUP_ID]);
  console.log(`group members after the PATCH runs: ${members.rows[0]?.n}`);
  await pool.end();
} finally {
  ceiling?.close();
  await daemon?.close();
  await db.close();
  await database.drop();
  const redis = testRedis();
  await deletePrefix(redis, prefix).catch(() => {});
  redis.disconnect();
}
