/**
 * A private redis-server in a temp dir on a port of its own, which a chaos test may SIGKILL and
 * start again on the same port: with its append-only file (the data survives), or empty.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../helpers/process.js';

export interface RedisServerOptions {
  /** `appendonly yes`: what the data survives a kill with. Default false. */
  appendOnly?: boolean;
  /**
   * With `appendOnly`: `everysec` (Redis's default) may answer a write and lose it in a crash, for up
   * to two seconds while an fsync is slow; `always` writes before answering. Default `always`.
   */
  appendFsync?: 'always' | 'everysec';
}

export class RedisServer {
  readonly port: number;
  readonly dir: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  readonly #reap = () => this.#child?.kill('SIGKILL');

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  static async create(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), mkdtempSync(path.join(tmpdir(), 'idsync-chaos-redis-')));
    await server.start(options);
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(options: RedisServerOptions = {}): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', options.appendOnly ? 'yes' : 'no', '--appendfsync', options.appendFsync ?? 'always'];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    process.once('exit', this.#reap);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => {});
      try {
        await probe.connect();
        // With an append-only file, Redis answers LOADING until it has read it.
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`private redis-server did not start on port ${this.port}`);
        await new Promise((r) => setTimeout(r, 30));
      }
    }
  }

  async kill(): Promise<void> {
    const child = this.#child;
    process.removeListener('exit', this.#reap);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await this.#exited;
  }

  /** Starts again on the same port; `keepData: false` removes the append-only files first. */
  async restart(options: RedisServerOptions & { keepData: boolean }): Promise<void> {
    await this.kill();
    if (!options.keepData) rmSync(path.join(this.dir, 'appendonlydir'), { recursive: true, force: true });
    await this.start(options);
  }

  connect(): Redis {
    const redis = new Redis(this.url, { maxRetriesPerRequest: null });
    redis.on('error', () => {});
    return redis;
  }

  async destroy(): Promise<void> {
    await this.kill().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}
