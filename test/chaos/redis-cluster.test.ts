/**
 * Scale-out on a real Redis Cluster (design §6): three masters with a replica each, on loopback.
 * `serve` and two `worker` processes, on PostgreSQL, pointed at it by `REDIS_URL=redis+cluster://…`,
 * take the chaos input while the master holding the queues' slot is failed over to its replica
 * (CLUSTER FAILOVER) and later killed (its replica, the first master, takes over), and must end
 * where the same input ends on one Redis server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullPrefix } from '../../src/queue/names.js';
import { chaosLog, until } from './harness/chaos-log.js';
import { ChaosCluster, runPhases, type RunResult } from './harness/cluster.js';
import { describeDifference } from './harness/granted-dump.js';
import { PostgresServer } from './harness/postgres-server.js';
import { RedisClusterServer } from './harness/redis-cluster.js';
import { RedisServer } from './harness/redis-server.js';
import { planLoad, type Phase } from './harness/scim-load.js';

const PEOPLE = Number(process.env['CHAOS_SMALL_PEOPLE'] ?? 1000);

describe('scale-out: serve and two workers on a Redis Cluster (three masters, one replica each)', () => {
  let pgs: PostgresServer;
  let single: RedisServer;
  let redisCluster: RedisClusterServer;
  let dir: string;
  const deployments: ChaosCluster[] = [];
  const phases = planLoad({ people: PEOPLE });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'idsync-chaos-'));
    const started = Date.now();
    [pgs, single, redisCluster] = await Promise.all([PostgresServer.create(), RedisServer.create(), RedisClusterServer.create()]);
    chaosLog('redis cluster', { nodes: redisCluster.ports.length, setupSeconds: (Date.now() - started) / 1000 });
  });
  afterAll(async () => {
    for (const d of deployments) await d.close();
    await Promise.all([pgs?.destroy(), single?.destroy(), redisCluster?.destroy()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function deployment(label: string, redis: RedisServer | RedisClusterServer): Promise<ChaosCluster> {
    const d = await ChaosCluster.create({ databaseUrl: await pgs.createDatabase(label), redis, dir, label });
    deployments.push(d);
    await d.serve();
    await Promise.all([d.worker(), d.worker()]);
    return d;
  }

  /** Every key of the deployment, on every master, carries its hash tag: one slot, as BullMQ's scripts need. */
  async function keysOutsideTheTag(d: ChaosCluster): Promise<{ tagged: number; untagged: string[] }> {
    const conn = await redisCluster.connected();
    try {
      let tagged = 0;
      const untagged: string[] = [];
      for (const node of conn.nodes('master')) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', `*${d.prefix}*`, 'COUNT', 1000);
          cursor = next;
          for (const key of keys) {
            if (key.startsWith(`${bullPrefix(d.prefix)}:`)) tagged++;
            else untagged.push(key);
          }
        } while (cursor !== '0');
      }
      return { tagged, untagged };
    } finally {
      conn.disconnect();
    }
  }

  let reference: RunResult;
  it('the undisturbed run, on one Redis server', async () => {
    const d = await deployment('single', single);
    reference = await runPhases(d, phases);
    chaosLog('cluster reference (one Redis server)', { people: PEOPLE, changes: reference.changes, seconds: reference.ms / 1000 });
    expect(reference.dump.people).toHaveLength(PEOPLE);
    await d.close();
  });

  it('on the cluster, the queues\' master failed over by CLUSTER FAILOVER, then killed (its replica takes over): the same granted state, nothing lost or doubled', async () => {
    expect(reference).toBeDefined();
    const d = await deployment('cluster', redisCluster);
    const tag = bullPrefix(d.prefix);
    const failovers: Array<{ phase: number; how: string; slot: number; from: number; to: number; ms: number; backlog: { jobs: number } }> = [];
    const result = await runPhases(d, phases, {
      checkpoints: reference.checkpoints,
      phaseTimeoutMs: 120_000,
      // small requests, so that the failover lands while requests are arriving
      perRequest: 50,
      during: async (phase, load) => {
        // In the first phase (users created, groups filled) and the third: once half of the phase
        // is sent and change jobs wait in the queue.
        if (phase !== 0 && phase !== 2) return;
        const start = load.sent;
        await until(async () => load.sent - start >= (phases[phase] as Phase).changes / 2 && (await d.backlog()).jobs > 0, 120_000, `half of phase ${phase} sent, jobs queued`);
        const backlog = await d.backlog();
        if (phase === 0) {
          failovers.push({ phase, how: 'CLUSTER FAILOVER', backlog, ...(await redisCluster.failover(tag)) });
          return;
        }
        // SIGKILL of the master. Replication is asynchronous, so idsync's processes are held for a
        // moment until the replica has every write (as the README says, a master that dies before
        // that can take its last writes with it); they carry on while the master is already dead
        // and its replica not yet promoted (the cluster node timeout, 2 s).
        const running = [...d.processes].filter((p) => p.running);
        for (const p of running) p.child.kill('SIGSTOP');
        let killed: Awaited<ReturnType<RedisClusterServer['killMaster']>>;
        try {
          await redisCluster.replicaCaughtUp(tag);
          killed = await redisCluster.killMaster(tag);
        } finally {
          for (const p of running) p.child.kill('SIGCONT');
        }
        failovers.push({ phase, how: 'SIGKILL', backlog, slot: killed.slot, from: killed.from, to: killed.to, ms: await killed.promoted });
      },
    });
    const keys = await keysOutsideTheTag(d);
    const warnings = [...d.processes].flatMap((p) => p.logged(/redis|queue/i).filter((l) => Number(l['level']) >= 40));
    chaosLog('cluster failover', {
      changes: result.changes,
      seconds: result.ms / 1000,
      keys: keys.tagged,
      warnings: `${warnings.length}${warnings.length > 0 ? ` (${[...new Set(warnings.map((w) => String(w['msg'])))].join('; ')})` : ''}`,
      failovers: failovers.map((f) => `phase${f.phase}:${f.how.replace(' ', '_')}:slot${f.slot}:${f.from}->${f.to}@${f.ms}ms,backlog=${f.backlog.jobs}`).join(' '),
    });
    // Both moved the queues' slot while jobs were waiting, the second one back to the first master.
    expect(failovers).toHaveLength(2);
    for (const f of failovers) {
      expect(f.to).not.toBe(f.from);
      expect(f.backlog.jobs).toBeGreaterThan(0);
    }
    expect(failovers[1]?.to).toBe(failovers[0]?.from);
    // idsync's keys are on the cluster, all of them in the queues' slot
    expect(keys.tagged).toBeGreaterThan(0);
    expect(keys.untagged).toEqual([]);
    expect(describeDifference(reference.dump, result.dump)).toBe('');
    // every process rode both out
    for (const p of d.processes) expect(p.running, p.output().slice(-3000)).toBe(true);
  });
});
