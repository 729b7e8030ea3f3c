/**
 * One idsync deployment as the chaos tests run it: a database, a Redis, a queue prefix, a config
 * file, and `serve` / `worker` processes started and stopped at will. The test process watches
 * the queue and the database from outside, as an operator would.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { RedisConnection } from '../../../src/queue/redis.js';
import { bullPrefix, QUEUE_NAMES } from '../../../src/queue/names.js';
import type { Db } from '../../../src/store/db.js';
import { createPostgresDb } from '../../../src/store/postgres.js';
import { changeBacklog, untilDrained, type ChangeBacklog } from '../../helpers/change-backlog.js';
import { freePort } from '../../helpers/process.js';
import { deletePrefix } from '../../helpers/redis.js';
import { describeDifference, grantedDump, memberships, type GrantedDump } from './granted-dump.js';
import { IdsyncProcess, killAll, type Role } from './idsync-process.js';
import { CHAOS_CONFIG_YAML, SCIM_TOKEN, ScimLoad, type Phase } from './scim-load.js';

export const ADMIN_TOKEN = 'chaos-admin-token';

export interface ClusterOptions {
  databaseUrl: string;
  redis: { url: string; connect(): RedisConnection };
  /** Where the config file is written. */
  dir: string;
  label: string;
}

export class ChaosCluster {
  readonly databaseUrl: string;
  readonly prefix: string;
  readonly port: number;
  readonly configFile: string;
  readonly processes = new Set<IdsyncProcess>();
  /** The test's own view of the database (a small pool). */
  readonly db: Db;
  readonly #redis: RedisConnection;
  readonly #queue: Queue;
  readonly #redisUrl: string;

  private constructor(options: ClusterOptions, port: number) {
    this.databaseUrl = options.databaseUrl;
    this.#redisUrl = options.redis.url;
    this.prefix = `idsync-chaos-${options.label}-${randomBytes(4).toString('hex')}`;
    this.port = port;
    this.configFile = path.join(options.dir, `${options.label}.yaml`);
    writeFileSync(this.configFile, CHAOS_CONFIG_YAML);
    this.db = createPostgresDb({ connectionString: options.databaseUrl, max: 2, applicationName: 'chaos-observer' });
    this.#redis = options.redis.connect();
    this.#queue = new Queue(QUEUE_NAMES.changes, { connection: this.#redis, prefix: bullPrefix(this.prefix) });
    this.#queue.on('error', () => {});
  }

  static async create(options: ClusterOptions): Promise<ChaosCluster> {
    return new ChaosCluster(options, await freePort());
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  env(): Record<string, string> {
    return {
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.#redisUrl,
      IDSYNC_QUEUE_PREFIX: this.prefix,
      IDSYNC_CONFIG: this.configFile,
      IDSYNC_SCIM_TOKEN: SCIM_TOKEN,
      IDSYNC_ADMIN_TOKEN: ADMIN_TOKEN,
      PORT: String(this.port),
    };
  }

  /** Starts a process of `role` without waiting for it. */
  spawn(role: Role): IdsyncProcess {
    // Workers serve their own /healthz and /metrics: on a port of their own.
    const p = new IdsyncProcess(role, { ...this.env(), ...(role === 'worker' ? { PORT: '0' } : {}) });
    this.processes.add(p);
    return p;
  }

  async serve(): Promise<IdsyncProcess> {
    const p = this.spawn('serve');
    await p.started();
    return p;
  }

  async worker(): Promise<IdsyncProcess> {
    const p = this.spawn('worker');
    await p.started();
    return p;
  }

  load(options: { perRequest?: number } = {}): ScimLoad {
    return new ScimLoad({ baseUrl: () => this.baseUrl, ...options });
  }

  /** Change jobs not finished (waiting, active, delayed), and changes parked in the database. */
  backlog(): Promise<ChangeBacklog> {
    return changeBacklog(this.#queue, this.db);
  }

  /** Failed change jobs (their attempts used up): each one is a change given up on. */
  async failedJobs(): Promise<string[]> {
    return (await this.#queue.getFailed(0, 20)).map((j) => `${j.id}: ${j.failedReason}`);
  }

  /** Until nothing is queued, running or parked, twice in a row. */
  drained(timeoutMs = 300_000): Promise<void> {
    return untilDrained(() => this.backlog(), { timeoutMs, pollMs: 200 });
  }

  /** Until the memberships are `expected` (a phase's checkpoint from the undisturbed run). */
  async reaches(expected: readonly string[], timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const want = expected.join('\n');
    for (;;) {
      const got = await memberships(this.db).catch(() => undefined);
      if (got && got.join('\n') === want) return;
      if (Date.now() > deadline) {
        const dump = await grantedDump(this.db).catch(() => undefined);
        const diff = dump ? describeDifference({ people: dump.people, memberships: [...expected], audit: dump.audit, outbox: dump.outbox }, dump) : 'database unreachable';
        throw new Error(`${what}: memberships did not converge within ${timeoutMs} ms; backlog ${JSON.stringify(await this.backlog().catch(() => null))}\n${diff}\n${this.describeProcesses()}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Each process: role, pid, running or how it exited, and its last log lines. */
  describeProcesses(lines = 30): string {
    return [...this.processes]
      .map((p) => `${p.role} ${p.pid} ${p.running ? 'running' : `exited ${p.child.exitCode ?? p.child.signalCode}`}:\n${p.output().trimEnd().split('\n').slice(-lines).map((l) => `    ${l.slice(0, 400)}`).join('\n')}`)
      .join('\n');
  }

  dump(): Promise<GrantedDump> {
    return grantedDump(this.db);
  }

  async close(): Promise<void> {
    await killAll(this.processes);
    await this.#queue.close().catch(() => {});
    await deletePrefix(this.#redis, bullPrefix(this.prefix)).catch(() => {});
    this.#redis.disconnect();
    await this.db.close().catch(() => {});
  }
}

export interface RunResult {
  /** Memberships after each phase. */
  checkpoints: string[][];
  dump: GrantedDump;
  changes: number;
  ms: number;
}

/**
 * Sends the phases; after each, waits for the phase's granted state: in the undisturbed run, until
 * nothing is left to do (its memberships become the checkpoint); in a disturbed run, until the
 * memberships equal the undisturbed run's checkpoint. `during` runs alongside each phase (the chaos).
 */
export async function runPhases(
  cluster: ChaosCluster,
  phases: readonly Phase[],
  options: {
    checkpoints?: readonly string[][];
    during?: (phase: number, load: ScimLoad) => Promise<void>;
    phaseTimeoutMs?: number;
    /** Operations per SCIM Bulk request. Default 500. */
    perRequest?: number;
  } = {},
): Promise<RunResult> {
  const started = Date.now();
  const load = cluster.load({ perRequest: options.perRequest });
  await load.createGroups();
  const checkpoints: string[][] = [];
  for (const [i, phase] of phases.entries()) {
    const t0 = Date.now();
    await Promise.all([load.runPhase(phase), options.during?.(i, load)]);
    const t1 = Date.now();
    const expected = options.checkpoints?.[i];
    if (expected) await cluster.reaches(expected, options.phaseTimeoutMs ?? 240_000, `phase ${phase.name}`);
    else await cluster.drained();
    checkpoints.push(await memberships(cluster.db));
    if (process.env['CHAOS_TRACE']) console.log(`phase ${phase.name}: ${phase.changes} changes sent in ${t1 - t0} ms, settled ${Date.now() - t1} ms later`);
  }
  await cluster.drained();
  const failed = await cluster.failedJobs();
  if (failed.length > 0) throw new Error(`change jobs failed for good: ${failed.join('; ')}`);
  return { checkpoints, dump: await cluster.dump(), changes: load.sent, ms: Date.now() - started };
}
