/**
 * The config loader against generated documents (config-documents.ts): any YAML document is either
 * a configuration the daemon starts with, or a `ConfigError` whose every problem names where it is
 * (a path such as `sources[0].url`, or the YAML line) — never another exception, never a stack.
 * The loader runs in-process for the many documents; the CLI as a process for a few, which must
 * start, or exit 2 with the problems on one screen and no stack trace.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/env.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/log.js';
import { startDaemon } from '../../src/main.js';
import { createPgliteDb } from '../../src/store/pglite.js';
import { migrate } from '../../src/store/migrate.js';
import type { Db } from '../../src/store/db.js';
import { runCli } from '../helpers/process.js';
import { deletePrefix, TEST_REDIS_URL, testRedis, uniquePrefix } from '../helpers/redis.js';
import { configDocument } from './config-documents.js';
import { fuzzRun, LONG } from './fuzz-settings.js';
import { abbreviate } from './hostile.js';

/** `sources[0].users.baseDn: Required`, `(root): unknown option "x"`, `not valid YAML: … at line 2, column 3` (the library names the line where it has one). */
const PATH_PRECISE = /^(\(root\)|\[|[A-Za-z_$])[^\n]*?: \S|^not valid YAML: \S/;
const STACK = /\n\s+at [^\n]+:\d+:\d+/;

function problemsOf(error: unknown): string[] {
  if (!(error instanceof ConfigError)) throw new Error(`not a ConfigError: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return error.problems;
}

describe('config loader fuzzing', () => {
  let dir: string;
  let db: Db;
  const prefix = uniquePrefix('config-fuzz');
  const quiet = createLogger({ destination: new Writable({ write: (_c, _e, done) => done() }), level: 'fatal' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idsync-config-fuzz-'));
    db = await createPgliteDb();
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
    const redis = testRedis();
    await deletePrefix(redis, prefix).catch(() => {});
    redis.disconnect();
  });

  /** What the daemon does with a config before it serves: register it, schedule its sources and sweeps. */
  async function starts(config: Config): Promise<void> {
    const daemon = await startDaemon({
      settings: { ...readSettings({}), port: 0, redisUrl: TEST_REDIS_URL, queuePrefix: prefix },
      config,
      roles: { http: false, worker: false, scheduler: true },
      logger: quiet,
      db,
      env: {},
    });
    await daemon.close();
  }

  it('loads any document into a config that starts, or refuses it with path-precise problems', async () => {
    const run = fuzzRun('config loader', { short: { runs: 200, timeLimitMs: 30_000 }, long: { runs: 5_000, timeLimitMs: 15 * 60_000 } });
    const file = join(dir, 'config.yaml');
    let valid = 0;
    let refused = 0;
    let started = 0;
    await fc.assert(
      fc.asyncProperty(configDocument, async (document) => {
        writeFileSync(file, document);
        const shown = abbreviate(Buffer.isBuffer(document) ? document.toString('latin1') : document, 500);
        let config: Config;
        try {
          config = await loadConfig(file);
        } catch (error) {
          const problems = problemsOf(error);
          refused++;
          expect(problems.length, `no problem named for:\n${shown}`).toBeGreaterThan(0);
          for (const problem of problems) {
            expect(problem, `for:\n${shown}`).toMatch(PATH_PRECISE);
            expect(problem, `a stack trace, for:\n${shown}`).not.toMatch(STACK);
          }
          return;
        }
        valid++;
        // Starting is the expensive part: every valid document is registered and scheduled, up to a cap per run.
        if (started < (LONG ? 500 : 20)) {
          started++;
          await starts(config).catch((error: unknown) => {
            throw new Error(`a config the loader accepted does not start: ${(error as Error).message}\nfor:\n${shown}`);
          });
        }
      }),
      run.parameters,
    );
    console.info(`[fuzz] config loader: ${valid} valid (${started} started), ${refused} refused`);
    // Both outcomes were exercised (a replay of one FUZZ_PATH runs one document).
    if (run.path === undefined) {
      expect(valid).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
    }
  }, 30 * 60_000);

  // A few documents through the real entry point: what an operator sees.
  it('the CLI exits 2 with the problems and no stack trace, or starts', async () => {
    const documents: Array<{ text: string; starts: boolean }> = [
      { text: 'sources:\n  - { id: scim, kind: scim, tokenEnv: T, precedence: 1e15 }\nworkspaces: [ { id: "Bad Id", name: "" } ]\n', starts: false },
      { text: `a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nsources: *c\n`, starts: false },
      { text: 'sources:\n  - { id: scim, kind: scim, tokenEnv: IDSYNC_SCIM_TOKEN }\nworkspaces:\n  - { id: analytics, name: "Análisis \u202e", roles: { viewer: [ { source: "*", group: "Everyone" } ] } }\n', starts: true },
    ];
    // All at once: each process spends most of its time compiling the CLI.
    await Promise.all(
      documents.map(async (document, i) => {
        const file = join(dir, `cli-${i}.yaml`);
        writeFileSync(file, document.text);
        const cli = runCli(['start'], { IDSYNC_CONFIG: file, IDSYNC_DATA_DIR: join(dir, `data-${i}`), PORT: '0', REDIS_URL: TEST_REDIS_URL, IDSYNC_QUEUE_PREFIX: `${prefix}-cli`, LOG_LEVEL: 'info' });
        if (!document.starts) {
          const code = await cli.exited;
          expect(code, cli.output()).toBe(2);
          expect(cli.errors()).toMatch(/^idsync: invalid configuration in /);
          expect(cli.errors()).not.toMatch(STACK);
          return;
        }
        const deadline = Date.now() + 90_000;
        while (!cli.output().includes('idsync started') && cli.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(cli.output()).toContain('idsync started');
        cli.child.kill('SIGTERM');
        expect(await cli.exited, cli.output()).toBe(0);
      }),
    );
  }, 240_000);
});
