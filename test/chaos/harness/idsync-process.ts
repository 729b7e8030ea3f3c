/**
 * idsync processes as an orchestrator runs them: the real CLI (`node --import tsx src/cli.ts
 * <role>`), each with its own environment, output kept for the failure message.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export type Role = 'start' | 'serve' | 'worker' | 'migrate';

const KEEP_OUTPUT = 256 * 1024;

export class IdsyncProcess {
  readonly role: Role;
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  #output = '';

  constructor(role: Role, env: Record<string, string>) {
    this.role = role;
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', role], {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      this.#output += d.toString();
      if (this.#output.length > KEEP_OUTPUT) this.#output = this.#output.slice(-KEEP_OUTPUT / 2);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.#output;
  }

  /** Log lines (pino JSON) whose `msg` is `msg`, or matches it. */
  logged(msg: string | RegExp): Array<Record<string, unknown>> {
    return this.#output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      })
      .filter((l) => (typeof msg === 'string' ? l['msg'] === msg : typeof l['msg'] === 'string' && msg.test(l['msg'])));
  }

  /** Until the process logs "idsync started"; throws with its output if it exits first or takes too long. */
  async started(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.logged('idsync started').length === 0) {
      if (!this.running) throw new Error(`idsync ${this.role} (pid ${this.pid}) exited before it started:\n${this.#output.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`idsync ${this.role} (pid ${this.pid}) did not start within ${timeoutMs} ms:\n${this.#output.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends `signal`; resolves with how long the process took to exit (ms) and how it exited. */
  async stop(signal: NodeJS.Signals, timeoutMs = 30_000): Promise<{ ms: number; code: number | null; signal: NodeJS.Signals | null }> {
    const sent = Date.now();
    if (this.running) this.child.kill(signal);
    const timer = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs).unref());
    const exit = await Promise.race([this.exited, timer]);
    if (!exit) {
      this.child.kill('SIGKILL');
      const killed = await this.exited;
      return { ms: killed.at - sent, code: killed.code, signal: killed.signal };
    }
    return { ms: exit.at - sent, code: exit.code, signal: exit.signal };
  }
}

/** Stops every process still running (SIGKILL): what afterAll runs, whatever happened. */
export async function killAll(processes: Iterable<IdsyncProcess>): Promise<void> {
  await Promise.all([...processes].filter((p) => p.running).map((p) => p.stop('SIGKILL', 5000)));
}
