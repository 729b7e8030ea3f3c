/**
 * Scenario 3 — PostgreSQL failures under load. `serve` and two workers on a private PostgreSQL:
 * the workers' connections are terminated (`pg_terminate_backend`) again and again while they are
 * in transactions; then PostgreSQL itself is restarted (immediate shutdown, crash recovery) in the
 * middle of a phase. Jobs are retried, requests are retried by the client as an IdP does, every
 * process stays up, and granted state ends where the undisturbed run ends.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosLog, until } from './harness/chaos-log.js';
import { ChaosStage } from './harness/chaos-stage.js';
import { runPhases, type RunResult } from './harness/cluster.js';
import { describeDifference } from './harness/granted-dump.js';
import type { IdsyncProcess } from './harness/idsync-process.js';
import { planLoad, type Phase } from './harness/scim-load.js';

const PEOPLE = Number(process.env['CHAOS_SMALL_PEOPLE'] ?? 1000);

/** The local ports of `processes`' connections to the PostgreSQL on `pgPort` (from `ss`). */
function clientPorts(processes: readonly IdsyncProcess[], pgPort: number): Set<number> {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', `( dport = :${pgPort} )`]).toString();
  const pids = new Set(processes.map((p) => p.pid));
  const ports = new Set<number>();
  for (const line of out.split('\n')) {
    const pid = /pid=(\d+),/.exec(line)?.[1];
    const local = /^\s*\S+\s+\S+\s+\S+:(\d+)\s/.exec(line)?.[1];
    if (pid && local && pids.has(Number(pid))) ports.add(Number(local));
  }
  return ports;
}

describe('scenario 3: PostgreSQL connections terminated, PostgreSQL restarted, under load', () => {
  let stage: ChaosStage;
  const phases = planLoad({ people: PEOPLE });

  beforeAll(async () => {
    stage = await ChaosStage.create();
  });
  afterAll(async () => {
    await stage?.close();
  });

  const deployment = (label: string) => stage.deployment(label);

  let undisturbed: RunResult;
  it('the undisturbed run', async () => {
    const cluster = await deployment('undisturbed');
    undisturbed = await runPhases(cluster, phases);
    chaosLog('3 undisturbed', { people: PEOPLE, changes: undisturbed.changes, seconds: undisturbed.ms / 1000 });
    await cluster.close();
  });

  it("workers' connections terminated mid-transaction, then PostgreSQL restarted mid-phase: jobs retried, converges", async () => {
    expect(undisturbed).toBeDefined();
    const cluster = await deployment('failures');
    const workers = [...cluster.processes].filter((p) => p.role === 'worker');
    let terminated = { inTransaction: 0, rounds: 0 };
    let restart: { downMs: number; backlog: unknown } | undefined;
    const phaseStart = (i: number) => phases.slice(0, i).reduce((n, p) => n + p.changes, 0);
    const result = await runPhases(cluster, phases, {
      checkpoints: undisturbed.checkpoints,
      phaseTimeoutMs: 180_000,
      during: async (phase, load) => {
        if (phase === 0 || phase === phases.length - 1) {
          // The workers are held (SIGSTOP) while a phase is sent, so that a backlog of jobs waits
          // for them; once they carry on, their backends that are inside a transaction are
          // terminated, again and again. In the first phase that hits jobs of up to 500 people; in
          // the last, where each person's grants change once at most, it hits jobs that no later
          // job stands in for: a job given up there is a change lost.
          for (const w of workers) w.child.kill('SIGSTOP');
          try {
            await until(() => load.sent >= phaseStart(phase + 1), 120_000, 'the phase sent');
          } finally {
            for (const w of workers) w.child.kill('SIGCONT');
          }
          const ports = clientPorts(workers, stage.pgs.port);
          const database = cluster.databaseUrl.split('/').pop() as string;
          for (const end = Date.now() + 5000; Date.now() < end; ) {
            const rows = await stage.pgs.sql<{ n: number }>(
              database,
              `select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity
                where datname = current_database() and xact_start is not null and client_port = any($1::int[])) t`,
              [[...ports]],
            );
            terminated = { inTransaction: terminated.inTransaction + (rows[0]?.n ?? 0), rounds: terminated.rounds + 1 };
            for (const p of clientPorts(workers, stage.pgs.port)) ports.add(p);
            if ((await cluster.backlog()).jobs === 0) break;
            await new Promise((r) => setTimeout(r, 20));
          }
        }
        if (phase === 2) {
          // Half-way through a phase, PostgreSQL goes down at once (crash recovery at its next start) for 2 s.
          await until(async () => load.sent >= phaseStart(2) + (phases[2] as Phase).changes / 2, 120_000, 'half of the phase sent');
          const backlog = await cluster.backlog();
          const down = Date.now();
          await stage.pgs.stop('SIGQUIT');
          await new Promise((r) => setTimeout(r, 2000));
          await stage.pgs.start();
          restart = { downMs: Date.now() - down, backlog };
        }
      },
    });
    const failedAttempts = [...cluster.processes].reduce((n, p) => n + p.logged('reconcile job failed').length, 0);
    chaosLog('3 postgres failures', { changes: result.changes, seconds: result.ms / 1000, backendsTerminatedInTransaction: terminated.inTransaction, terminationRounds: terminated.rounds, restartDownMs: restart?.downMs, backlogAtRestart: JSON.stringify(restart?.backlog), failedJobAttempts: failedAttempts });
    expect(describeDifference(undisturbed.dump, result.dump)).toBe('');
    // the terminations hit transactions, and jobs failed and were retried
    expect(terminated.inTransaction).toBeGreaterThan(0);
    expect(failedAttempts).toBeGreaterThan(0);
    // every process rode it out
    for (const p of cluster.processes) expect(p.running, p.output().slice(-3000)).toBe(true);
  });
});
