/**
 * Scenario 4 — a graceful stop under load. In the middle of a run (SCIM requests arriving, change
 * jobs queued and running), every process gets SIGTERM at once, as an orchestrator stops a
 * deployment: each must exit by itself, cleanly, within 10 s. Started again, the deployment
 * processes the rest, and granted state ends where the undisturbed run ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosLog, until } from './harness/chaos-log.js';
import { ChaosStage } from './harness/chaos-stage.js';
import { runPhases, type RunResult } from './harness/cluster.js';
import { describeDifference } from './harness/granted-dump.js';
import { planLoad, type Phase } from './harness/scim-load.js';

const PEOPLE = Number(process.env['CHAOS_SMALL_PEOPLE'] ?? 1000);
const STOP_DEADLINE_MS = 10_000;

describe('scenario 4: SIGTERM to every process mid-run', () => {
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
    chaosLog('4 undisturbed', { people: PEOPLE, changes: undisturbed.changes, seconds: undisturbed.ms / 1000 });
    await cluster.close();
  });

  it('every process exits cleanly within 10 s; restarted, the deployment processes the rest and converges', async () => {
    expect(undisturbed).toBeDefined();
    const cluster = await deployment('sigterm');
    let stops: Array<{ role: string; ms: number; code: number | null; signal: string | null }> = [];
    let backlog: unknown;
    const result = await runPhases(cluster, phases, {
      checkpoints: undisturbed.checkpoints,
      phaseTimeoutMs: 180_000,
      perRequest: 100,
      during: async (phase, load) => {
        if (phase !== 0) return;
        // Half-way through the first phase: requests in flight, jobs queued and running.
        await until(async () => load.sent >= (phases[0] as Phase).changes / 2 && (await cluster.backlog()).jobs > 0, 120_000, 'half of the phase sent, jobs queued');
        backlog = await cluster.backlog();
        const running = [...cluster.processes].filter((p) => p.running);
        stops = (await Promise.all(running.map((p) => p.stop('SIGTERM', 30_000)))).map((s, i) => ({ role: running[i]?.role ?? '?', ...s }));
        // The deployment starts again; the load generator's requests meanwhile were refused and are retried.
        await cluster.serve();
        await Promise.all([cluster.worker(), cluster.worker()]);
      },
    });
    chaosLog('4 sigterm', { changes: result.changes, seconds: result.ms / 1000, backlogAtStop: JSON.stringify(backlog), exits: stops.map((s) => `${s.role}:${s.code ?? s.signal}@${s.ms}ms`).join(',') });
    expect(stops).toHaveLength(3);
    for (const s of stops) {
      expect(s.signal, `${s.role} was killed by a signal`).toBeNull();
      expect(s.code, `${s.role} exit code`).toBe(0);
      expect(s.ms, `${s.role} took ${s.ms} ms to stop`).toBeLessThan(STOP_DEADLINE_MS);
    }
    expect(describeDifference(undisturbed.dump, result.dump)).toBe('');
  });
});
