/**
 * What a chaos scenario runs its deployments on: one PostgreSQL server and one Redis server of its
 * own, and a scratch directory for config files. Each deployment gets a database of its own on it;
 * `close` stops every deployment, then the servers, then removes the directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChaosCluster } from './cluster.js';
import { PostgresServer } from './postgres-server.js';
import { RedisServer, type RedisServerOptions } from './redis-server.js';

export class ChaosStage {
  readonly pgs: PostgresServer;
  readonly redis: RedisServer;
  readonly #dir: string;
  readonly #clusters: ChaosCluster[] = [];

  private constructor(pgs: PostgresServer, redis: RedisServer, dir: string) {
    this.pgs = pgs;
    this.redis = redis;
    this.#dir = dir;
  }

  static async create(redis: RedisServerOptions = {}): Promise<ChaosStage> {
    const dir = mkdtempSync(path.join(tmpdir(), 'idsync-chaos-'));
    const [pgs, server] = await Promise.allSettled([PostgresServer.create(), RedisServer.create(redis)]);
    if (pgs.status === 'fulfilled' && server.status === 'fulfilled') return new ChaosStage(pgs.value, server.value, dir);
    // One came up and the other did not: stop the one, so that nothing outlives the failed setup.
    await Promise.all([pgs.status === 'fulfilled' && pgs.value.destroy(), server.status === 'fulfilled' && server.value.destroy()]);
    rmSync(dir, { recursive: true, force: true });
    throw pgs.status === 'rejected' ? pgs.reason : (server as PromiseRejectedResult).reason;
  }

  /** A deployment on a fresh database, no process started yet. */
  async cluster(label: string): Promise<ChaosCluster> {
    const cluster = await ChaosCluster.create({ databaseUrl: await this.pgs.createDatabase(label), redis: this.redis, dir: this.#dir, label });
    this.#clusters.push(cluster);
    return cluster;
  }

  /** A deployment with `serve`, then two `worker` processes, each up. */
  async deployment(label: string): Promise<ChaosCluster> {
    const cluster = await this.cluster(label);
    await cluster.serve();
    await Promise.all([cluster.worker(), cluster.worker()]);
    return cluster;
  }

  async close(): Promise<void> {
    for (const c of this.#clusters) await c.close();
    await Promise.all([this.pgs.destroy(), this.redis.destroy()]);
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
