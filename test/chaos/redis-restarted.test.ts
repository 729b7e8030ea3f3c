/**
 * Scenario 2 — Redis restarted. `serve` and two workers on PostgreSQL; Redis gets SIGKILL in the
 * middle of a run and starts again: first with its append-only file (the queue survives), then
 * without any data (jobs gone, observed state in PostgreSQL intact), which idsync must notice
 * and recover from by itself. Both must end where the undisturbed run ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosLog, until } from './harness/chaos-log.js';
import { ChaosStage } from './harness/chaos-stage.js';
import { runPhases, type RunResult } from './harness/cluster.js';
import { describeDifference } from './harness/granted-dump.js';
import { planLoad, type Phase } from './harness/scim-load.js';

const PEOPLE = Number(process.env['CHAOS_SMALL_PEOPLE'] ?? 1000);
const DOWN_MS = 2000;

describe('scenario 2: Redis restarted mid-run', () => {
  let stage: ChaosStage;
  const phases = planLoad({ people: PEOPLE });

  beforeAll(async () => {
    stage = await ChaosStage.create({ appendOnly: true });
  });
  afterAll(async () => {
    await stage?.close();
  });

  const deployment = (label: string) => stage.deployment(label);

  let undisturbed: RunResult;
  it('the undisturbed run', async () => {
    const cluster = await deployment('undisturbed');
    undisturbed = await runPhases(cluster, phases);
    chaosLog('2 undisturbed', { people: PEOPLE, changes: undisturbed.changes, seconds: undisturbed.ms / 1000 });
    await cluster.close();
  });

  for (const keepData of [true, false]) {
    it(keepData ? 'SIGKILL, restarted with its append-only file: converges' : 'SIGKILL, restarted without its data: idsync notices, recovers by itself, converges', async () => {
      expect(undisturbed).toBeDefined();
      const cluster = await deployment(keepData ? 'aof' : 'flushed');
      let restart: { backlog: unknown; parkedWhileDown: number; downMs: number } | undefined;
      const workers = [...cluster.processes].filter((p) => p.role === 'worker');
      const last = phases.length - 1;
      const result = await runPhases(cluster, phases, {
        checkpoints: undisturbed.checkpoints,
        phaseTimeoutMs: 120_000,
        // small requests, so that the phase is sent in many steps, some while Redis is down
        perRequest: 10,
        during: async (phase, load) => {
          if (phase !== last) return;
          // In the last phase each person's grants change once at most. The workers are held
          // (SIGSTOP) so that the first half's jobs wait in Redis, as they do behind a large sync;
          // then Redis dies; serve takes the second half while it is down (it parks those changes
          // in PostgreSQL); Redis comes back; the workers carry on. The two halves touch different
          // people: neither can stand in for the other.
          const start = load.sent;
          const changes = (phases[last] as Phase).changes;
          for (const w of workers) w.child.kill('SIGSTOP');
          try {
            await until(async () => load.sent - start >= changes / 2 && (await cluster.backlog()).jobs > 0, 60_000, 'half of the phase sent');
            const backlog = await cluster.backlog();
            const down = Date.now();
            await stage.redis.kill();
            await until(() => load.sent - start >= changes, 60_000, 'the rest sent while Redis is down');
            await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - down))));
            const parked = (await cluster.db.query<{ n: number }>('select count(*)::int as n from pending_changes')).rows[0]?.n ?? 0;
            await stage.redis.restart({ appendOnly: true, keepData });
            restart = { backlog, parkedWhileDown: parked, downMs: Date.now() - down };
          } finally {
            for (const w of workers) w.child.kill('SIGCONT');
          }
        },
      });
      chaosLog(`2 redis restarted ${keepData ? 'with' : 'without'} its data`, { changes: result.changes, seconds: result.ms / 1000, backlogAtKill: JSON.stringify(restart?.backlog), parkedWhileDown: restart?.parkedWhileDown, downMs: restart?.downMs });
      expect(describeDifference(undisturbed.dump, result.dump)).toBe('');
      // jobs were waiting in Redis when it died, and changes came in while it was down
      expect((restart?.backlog as { jobs: number } | undefined)?.jobs).toBeGreaterThan(0);
      expect(restart?.parkedWhileDown).toBeGreaterThan(0);
      // without its data, one process noticed and recovered (reconciling every person); with it, none had to
      const recoveries = [...cluster.processes].flatMap((p) => p.logged(/^Redis has lost the queue data/));
      expect(recoveries).toHaveLength(keepData ? 0 : 1);
      // every process rode it out
      for (const p of cluster.processes) expect(p.running, p.output().slice(-3000)).toBe(true);
    });
  }
});
