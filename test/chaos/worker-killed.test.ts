/**
 * Scenario 1 — a worker killed. PostgreSQL store; `idsync serve` and two `idsync worker`
 * processes; about 10 changes per person pushed over SCIM Bulk; one worker gets `kill -9` while
 * change jobs run; a new worker starts; the queue drains. Granted state, audit trail and outbox
 * must equal those of an undisturbed run of the same input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosLog, until } from './harness/chaos-log.js';
import { ChaosStage } from './harness/chaos-stage.js';
import { runPhases, type RunResult } from './harness/cluster.js';
import { describeDifference } from './harness/granted-dump.js';
import { planLoad } from './harness/scim-load.js';
import { watchStalled } from './harness/stalled-jobs.js';

/** 5,000 people, about 51,000 changes; `CHAOS_PEOPLE` scales it. */
const PEOPLE = Number(process.env['CHAOS_PEOPLE'] ?? 5000);

describe('scenario 1: a worker killed mid-run', () => {
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
    chaosLog('1 undisturbed', { people: PEOPLE, changes: undisturbed.changes, seconds: undisturbed.ms / 1000, grants: undisturbed.dump.memberships.length, audit: undisturbed.dump.audit.length, events: undisturbed.dump.outbox.length });
    expect(undisturbed.dump.people).toHaveLength(PEOPLE);
    expect(undisturbed.changes).toBeGreaterThanOrEqual(PEOPLE * 10);
    await cluster.close();
  });

  it('kill -9 of a worker while it runs jobs, a new worker, drained: the same granted state, nothing lost or doubled', async () => {
    expect(undisturbed).toBeDefined();
    const cluster = await deployment('killed');
    const [victim] = [...cluster.processes].filter((p) => p.role === 'worker');
    const stalled = await watchStalled(stage.redis, cluster.prefix);
    let killedAt: { sent: number; backlog: unknown } | undefined;
    const result = await runPhases(cluster, phases, {
      checkpoints: undisturbed.checkpoints,
      phaseTimeoutMs: 150_000,
      during: async (phase, load) => {
        if (phase !== 0 || !victim) return;
        // Once the first phase is sent, its group writes are still being reconciled: jobs of up
        // to 500 people, one transaction each, some of them in the victim's hands.
        await until(() => load.sent >= (phases[0]?.changes ?? 0), 300_000, 'the first phase sent');
        // More jobs active than the other worker can hold (concurrency 4) means some are the
        // victim's; a few seconds are given for that, then the kill goes ahead anyway.
        let backlog = await cluster.backlog();
        for (const deadline = Date.now() + 20_000; backlog.active <= 4 && backlog.jobs > 0 && Date.now() < deadline; ) {
          await new Promise((r) => setTimeout(r, 50));
          backlog = await cluster.backlog();
        }
        victim.child.kill('SIGKILL');
        killedAt = { sent: load.sent, backlog };
        await victim.exited;
        await cluster.worker();
      },
    });
    await stalled.close();
    chaosLog('1 worker killed', { changes: result.changes, seconds: result.ms / 1000, killedAfterChanges: killedAt?.sent, backlogAtKill: JSON.stringify(killedAt?.backlog), stalledJobsRecovered: stalled.count() });
    // killed with work outstanding, not after the fact
    expect((killedAt?.backlog as { jobs: number } | undefined)?.jobs).toBeGreaterThan(0);
    // the kill interrupted jobs in flight, which another worker then ran again
    expect(stalled.count()).toBeGreaterThan(0);
    expect(describeDifference(undisturbed.dump, result.dump)).toBe('');
  });
});
