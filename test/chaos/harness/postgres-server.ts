/**
 * A private PostgreSQL cluster in a temp dir, on a port of its own, that a chaos test may stop,
 * crash and restart without touching the machine's server (recipe: /work/shared/notes/test-infra.md).
 * `fsync` is off (a killed *process* loses nothing the OS has), `synchronous_commit` stays on: a
 * crash must not lose a commit that a client saw acknowledged.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../helpers/process.js';

const execFileAsync = promisify(execFile);

function pgBin(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
  const latest = versions[versions.length - 1];
  if (!latest) throw new Error('no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)');
  return `/usr/lib/postgresql/${latest}/bin`;
}

/** initdb and postgres refuse root: run them as `postgres` then. */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', cmd, ...args]] : [cmd, args];
}

export class PostgresServer {
  readonly port: number;
  readonly dir: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  readonly #reap = () => this.#child?.kill('SIGKILL');

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  static async create(): Promise<PostgresServer> {
    const dir = mkdtempSync(path.join(tmpdir(), 'idsync-chaos-pg-'));
    if (process.getuid?.() === 0) chownSync(dir, Number((await execFileAsync('id', ['-u', 'postgres'])).stdout.trim()), Number((await execFileAsync('id', ['-g', 'postgres'])).stdout.trim()));
    const [cmd, args] = asPostgres(`${pgBin()}/initdb`, ['-D', path.join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-N']);
    await execFileAsync(cmd, args);
    const server = new PostgresServer(await freePort(), dir);
    await server.start();
    return server;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const [cmd, args] = asPostgres(`${pgBin()}/postgres`, ['-D', path.join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir, '-h', '127.0.0.1', '-F', '-c', 'max_connections=200']);
    const child = spawn(cmd, args, { stdio: 'ignore' });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    process.once('exit', this.#reap);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const client = new pg.Client({ connectionString: this.url() });
      try {
        await client.connect();
        await client.query('select 1');
        await client.end();
        return;
      } catch {
        await client.end().catch(() => {});
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`private PostgreSQL did not start on port ${this.port}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** `SIGINT` is PostgreSQL's fast shutdown; `SIGQUIT` its immediate one (crash recovery at the next start); `SIGKILL` of the postmaster leaves backends behind, so it is not offered. */
  async stop(signal: 'SIGINT' | 'SIGQUIT' = 'SIGINT'): Promise<void> {
    const child = this.#child;
    process.removeListener('exit', this.#reap);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await this.#exited;
  }

  async restart(signal: 'SIGINT' | 'SIGQUIT' = 'SIGQUIT'): Promise<void> {
    await this.stop(signal);
    await this.start();
  }

  async createDatabase(name: string): Promise<string> {
    await this.sql('postgres', `create database ${name}`);
    return this.url(name);
  }

  /** Runs one statement on `database` with a connection of its own. */
  async sql<T extends pg.QueryResultRow = pg.QueryResultRow>(database: string, text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  async destroy(): Promise<void> {
    await this.stop('SIGQUIT').catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}
