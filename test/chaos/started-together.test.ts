/**
 * Scenario 0 — started together. `serve` and two `worker` processes started at the same moment
 * on a fresh PostgreSQL database, as an orchestrator starts replicas (and a `migrate` job beside
 * them): every one must come up, whatever the interleaving of their migrations, and the
 * deployment must then grant what one started process by process grants.
 *
 * Processes started together still reach the database hundreds of milliseconds apart (loading
 * modules), while the race that killed them lasts a few. So one round holds a gate: the test
 * holds a SHARE lock on pg_type, which every DDL needs to write, until all four processes wait
 * on a lock — each at its first step that needs one — then lets them go at the same instant.
 * The processes are the real, unmodified CLI; only the moment they meet is arranged.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosLog, until } from './harness/chaos-log.js';
import { ChaosStage } from './harness/chaos-stage.js';
import { ChaosCluster, runPhases, type RunResult } from './harness/cluster.js';
import { describeDifference } from './harness/granted-dump.js';
import { planLoad } from './harness/scim-load.js';

const PEOPLE = 200;

describe('scenario 0: serve and two workers started at the same moment on a fresh database', () => {
  let stage: ChaosStage;
  const phases = planLoad({ people: PEOPLE });

  beforeAll(async () => {
    stage = await ChaosStage.create();
  });
  afterAll(async () => {
    await stage?.close();
  });

  const cluster = (label: string) => stage.cluster(label);

  let together: ChaosCluster | undefined;
  for (const gated of [true, false]) {
    it(`started together${gated ? ', released at one instant by a lock gate' : ''}: every process comes up`, async () => {
      const c = await cluster(gated ? 'together_gated' : 'together');
      const gate = gated ? await holdDdlGate(c.databaseUrl) : undefined;
      const started = Date.now();
      const processes = [c.spawn('serve'), c.spawn('worker'), c.spawn('worker'), c.spawn('migrate')];
      try {
        if (gate) {
          await until(async () => (await gate.waiting()) >= processes.length || processes.some((p) => !p.running), 60_000, 'every process waiting at the gate');
          await gate.release();
        }
      } finally {
        await gate?.release();
      }
      await Promise.all(processes.slice(0, 3).map((p) => p.started()));
      const migrate = await processes[3]?.exited;
      expect(migrate?.code, processes[3]?.output()).toBe(0);
      chaosLog('0 started together', { gated, allUpInSeconds: (Date.now() - started) / 1000 });
      // none died or restarted along the way
      for (const p of processes.slice(0, 3)) expect(p.running, p.output()).toBe(true);
      together = c;
    });
  }

  it('the deployment started together grants what one started process by process grants', async () => {
    expect(together).toBeDefined();
    const c = await cluster('one_by_one');
    await c.serve();
    await c.worker();
    await c.worker();
    const oneByOne: RunResult = await runPhases(c, phases);
    expect(oneByOne.dump.people).toHaveLength(PEOPLE);
    await c.close();
    const result = await runPhases(together as ChaosCluster, phases, { checkpoints: oneByOne.checkpoints, phaseTimeoutMs: 60_000 });
    expect(describeDifference(oneByOne.dump, result.dump)).toBe('');
  });
});

/**
 * A transaction holding SHARE on pg_type: DDL waits until `release()`. Who waits is read on a
 * connection of its own (a transaction sees pg_stat_activity as of its first look).
 */
async function holdDdlGate(databaseUrl: string): Promise<{ waiting(): Promise<number>; release(): Promise<void> }> {
  const holder = new pg.Client({ connectionString: databaseUrl });
  const watcher = new pg.Client({ connectionString: databaseUrl });
  await Promise.all([holder.connect(), watcher.connect()]);
  await holder.query('begin');
  await holder.query('lock table pg_catalog.pg_type in share mode');
  let released = false;
  return {
    async waiting() {
      const r = await watcher.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
      return r.rows[0]?.n ?? 0;
    },
    async release() {
      if (released) return;
      released = true;
      await holder.query('commit').catch(() => {});
      await Promise.all([holder.end().catch(() => {}), watcher.end().catch(() => {})]);
    },
  };
}
