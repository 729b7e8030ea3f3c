/**
 * A private Redis Cluster on loopback: six redis-server processes (three masters, one replica
 * each), joined by `redis-cli --cluster create`, in a temp dir, on free ports. A chaos test points
 * idsync at it with `REDIS_URL=redis+cluster://…` and may fail a master over to its replica.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { freePort } from '../../helpers/process.js';

const execFileAsync = promisify(execFile);

const NODES = 6;
/** How long a silent master may be before its replica takes over (Redis's default is 15 s). */
const NODE_TIMEOUT_MS = 2000;

/** One line of `CLUSTER NODES`. */
export interface NodeRole {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** A replica's master. */
  masterId: string | undefined;
  /** A master's slot ranges, `[from, to]`. */
  slots: Array<[number, number]>;
}

class NodeProcess {
  readonly port: number;
  readonly busPort: number;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  readonly #reap = () => this.#child?.kill('SIGKILL');

  constructor(port: number, busPort: number) {
    this.port = port;
    this.busPort = busPort;
  }

  start(dir: string): void {
    const args = [
      '--port', String(this.port),
      // Redis 7: the bus port is set, not port + 10000 (which may be taken, or past 65535).
      '--cluster-port', String(this.busPort),
      '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes',
      '--cluster-config-file', `nodes-${this.port}.conf`,
      '--cluster-node-timeout', String(NODE_TIMEOUT_MS),
      '--dir', dir,
      '--save', '',
      '--appendonly', 'no',
      '--daemonize', 'no',
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    process.once('exit', this.#reap);
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async kill(): Promise<void> {
    process.removeListener('exit', this.#reap);
    if (!this.running) return;
    this.#child?.kill('SIGKILL');
    await this.#exited;
  }
}

export class RedisClusterServer {
  readonly dir: string;
  readonly #nodes: NodeProcess[];

  private constructor(dir: string, nodes: NodeProcess[]) {
    this.dir = dir;
    this.#nodes = nodes;
  }

  /** Six nodes, three masters with a replica each; resolves once every node reports the cluster ok. */
  static async create(): Promise<RedisClusterServer> {
    const ports: number[] = [];
    while (ports.length < NODES * 2) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const nodes = Array.from({ length: NODES }, (_, i) => new NodeProcess(ports[i] as number, ports[NODES + i] as number));
    const server = new RedisClusterServer(mkdtempSync(path.join(tmpdir(), 'idsync-chaos-redis-cluster-')), nodes);
    try {
      for (const node of nodes) node.start(server.dir);
      await Promise.all(nodes.map((node) => server.#answers(node.port)));
      await execFileAsync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], { timeout: 60_000 });
      await server.settled();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  /** `redis+cluster://` naming three of the nodes: idsync learns the others from them. */
  get url(): string {
    return `redis+cluster://${this.#nodes.slice(0, 3).map((n) => `127.0.0.1:${n.port}`).join(',')}`;
  }

  get ports(): number[] {
    return this.#nodes.map((n) => n.port);
  }

  /** The test's own connection (as an operator's tool would have), once it knows the slots. */
  async connected(): Promise<Cluster> {
    const cluster = this.connect();
    await cluster.ping();
    return cluster;
  }

  /** The test's own connection; `nodes()` is empty until it is ready (see `connected`). */
  connect(): Cluster {
    const cluster = new Cluster(
      this.#nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
      { redisOptions: { maxRetriesPerRequest: null }, retryDelayOnFailover: 200, retryDelayOnClusterDown: 300, retryDelayOnTryAgain: 200 },
    );
    cluster.on('error', () => {});
    return cluster;
  }

  /** `CLUSTER NODES` as one running node sees it. */
  async topology(): Promise<NodeRole[]> {
    const port = this.#nodes.find((n) => n.running)?.port;
    if (port === undefined) throw new Error('no cluster node is running');
    const text = String(await this.#command(port, ['cluster', 'nodes']));
    return text
      .trim()
      .split('\n')
      .map((line) => {
        const [id, address, flags, master, , , , , ...slots] = line.split(' ');
        return {
          id: id as string,
          port: Number(/:(\d+)@/.exec(address ?? '')?.[1]),
          role: (flags ?? '').includes('master') ? ('master' as const) : ('replica' as const),
          masterId: master === '-' ? undefined : master,
          slots: slots.filter((s) => /^\d+(-\d+)?$/.test(s)).map((s) => {
            const [from, to] = s.split('-').map(Number) as [number, number | undefined];
            return [from, to ?? from] as [number, number];
          }),
        };
      });
  }

  /** The master serving `key`'s slot, and its replica if it has one. */
  async shardOf(key: string): Promise<{ slot: number; master: NodeRole; replica: NodeRole | undefined }> {
    const port = this.#nodes.find((n) => n.running)?.port as number;
    const slot = Number(await this.#command(port, ['cluster', 'keyslot', key]));
    const nodes = await this.topology();
    const master = nodes.find((n) => n.role === 'master' && n.slots.some(([from, to]) => slot >= from && slot <= to));
    if (!master) throw new Error(`slot ${slot} has no master:\n${JSON.stringify(nodes)}`);
    return { slot, master, replica: nodes.find((n) => n.role === 'replica' && n.masterId === master.id) };
  }

  /** `shardOf`, for a master that must have a replica. */
  async #replicated(key: string): Promise<{ slot: number; master: NodeRole; replica: NodeRole }> {
    const shard = await this.shardOf(key);
    if (!shard.replica) throw new Error(`the master of slot ${shard.slot} (port ${shard.master.port}) has no replica`);
    return { ...shard, replica: shard.replica };
  }

  /**
   * `CLUSTER FAILOVER` on the replica of the master serving `key`: the replica catches up with its
   * master, takes its slots, and the master becomes its replica. Resolves once the cluster agrees.
   */
  async failover(key: string): Promise<{ slot: number; from: number; to: number; ms: number }> {
    const started = Date.now();
    const { slot, master, replica } = await this.#replicated(key);
    await this.#command(replica.port, ['cluster', 'failover']);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const now = await this.shardOf(key).catch(() => undefined);
      if (now?.master.port === replica.port) break;
      if (Date.now() > deadline) throw new Error(`CLUSTER FAILOVER of slot ${slot} to port ${replica.port} did not complete within 30 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.settled();
    return { slot, from: master.port, to: replica.port, ms: Date.now() - started };
  }

  /**
   * Until the replica of the master serving `key` has every write its master has (the same
   * replication offset). Replication is asynchronous: a master killed before then takes its last
   * writes with it, which the caller avoids by holding its clients while this waits.
   */
  async replicaCaughtUp(key: string, timeoutMs = 10_000): Promise<void> {
    const { master, replica } = await this.#replicated(key);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [m, r] = await Promise.all([this.#command(master.port, ['info', 'replication']), this.#command(replica.port, ['info', 'replication'])]);
      const sent = /master_repl_offset:(\d+)/.exec(String(m))?.[1];
      const applied = /slave_repl_offset:(\d+)/.exec(String(r))?.[1];
      if (sent !== undefined && sent === applied) return;
      if (Date.now() > deadline) throw new Error(`replica on port ${replica.port} did not catch up within ${timeoutMs} ms (${applied} of ${sent})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * SIGKILL of the master serving `key`. Resolves at once with `promoted`, which resolves once its
   * replica has taken over the slots (after the cluster node timeout) and the cluster is ok again.
   */
  async killMaster(key: string): Promise<{ slot: number; from: number; to: number; promoted: Promise<number> }> {
    const { slot, master, replica } = await this.#replicated(key);
    const node = this.#nodes.find((n) => n.port === master.port);
    if (!node) throw new Error(`no node on port ${master.port}`);
    const killed = Date.now();
    await node.kill();
    const promoted = (async () => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const now = await this.shardOf(key).catch(() => undefined);
        if (now?.master.port === replica.port) break;
        if (Date.now() > deadline) throw new Error(`replica on port ${replica.port} did not take over slot ${slot} within 30 s of its master's death`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await this.settled();
      return Date.now() - killed;
    })();
    promoted.catch(() => {});
    return { slot, from: master.port, to: replica.port, promoted };
  }

  /** Until every running node says `cluster_state:ok` and every replica's link to its master is up. */
  async settled(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(
        this.#nodes
          .filter((n) => n.running)
          .map(async (n) => {
            const info = String(await this.#command(n.port, ['cluster', 'info']).catch(() => ''));
            const replication = String(await this.#command(n.port, ['info', 'replication']).catch(() => ''));
            const known = /cluster_known_nodes:(\d+)/.exec(info)?.[1];
            return info.includes('cluster_state:ok') && Number(known) === NODES && (!replication.includes('role:slave') || replication.includes('master_link_status:up'));
          }),
      );
      if (states.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error(`Redis Cluster not settled within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async destroy(): Promise<void> {
    await Promise.all(this.#nodes.map((n) => n.kill().catch(() => {})));
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #answers(port: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await this.#command(port, ['ping']);
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`cluster node on port ${port} did not start`);
        await new Promise((r) => setTimeout(r, 30));
      }
    }
  }

  /** One command to one node, on a connection of its own. */
  async #command(port: number, args: string[]): Promise<unknown> {
    const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    redis.on('error', () => {});
    try {
      await redis.connect();
      return await redis.call(args[0] as string, ...args.slice(1));
    } finally {
      redis.disconnect();
    }
  }
}
