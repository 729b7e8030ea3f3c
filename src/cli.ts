#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError, loadConfig } from './config/load.js';
import { readSettings } from './config/env.js';
import { createLogger } from './log.js';
import { startDaemon, type Roles } from './main.js';
import { ListenError } from './api/listen.js';
import { RedisUnavailableError } from './queue/redis.js';
import { RedisUrlError } from './queue/redis-target.js';
import { DataDirError } from './store/data-dir-lock.js';
import { migrate } from './store/migrate.js';
import { openStore } from './store/open.js';
import { daemonRequest, DaemonRequestError } from './cli/daemon-client.js';
import { importCommand } from './cli/import-command.js';
import { tokensCreateCommand, tokensListCommand, tokensRevokeCommand } from './cli/tokens-command.js';
import { syncCommand } from './cli/sync-command.js';
import { explainCommand } from './cli/explain-command.js';
import { rulesPreviewCommand } from './cli/rules-preview-command.js';

const EXIT_CONFIG = 2;
const SHUTDOWN_DEADLINE_MS = 10_000;

function fail(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`idsync: ${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  // Conditions the operator can act on: one line, no stack.
  if (error instanceof RedisUnavailableError || error instanceof RedisUrlError || error instanceof DaemonRequestError || error instanceof ListenError || error instanceof DataDirError) {
    process.stderr.write(`idsync: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`idsync: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
}

async function run(roles: Roles, role: string): Promise<void> {
  const settings = readSettings();
  const logger = createLogger({ level: settings.logLevel });
  const config = await loadConfig(settings.configFile);
  if (!settings.databaseUrl && (!roles.http || !roles.worker)) {
    throw new Error(`idsync ${role} needs DATABASE_URL: the embedded store belongs to one process (use "idsync start")`);
  }
  const daemon = await startDaemon({ settings, config, roles, logger, env: process.env });
  logger.info({ role, url: daemon.url, store: daemon.db.kind, sources: config.sources.map((s) => s.id), workspaces: config.workspaces.length }, 'idsync started');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    daemon.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const program = new Command()
  .name('idsync')
  .description('Identity sync daemon and SCIM 2.0 connector')
  .showHelpAfterError();

program.command('start').description('all roles in one process: HTTP (SCIM, admin API), workers, scheduler').action(() => run({ http: true, worker: true, scheduler: true }, 'start'));
program.command('serve').description('HTTP only: SCIM server, admin API, ops endpoints (needs DATABASE_URL)').action(() => run({ http: true, worker: false, scheduler: false }, 'serve'));
program.command('worker').description('queue workers and job schedulers only (needs DATABASE_URL)').action(() => run({ http: false, worker: true, scheduler: true }, 'worker'));

program
  .command('migrate')
  .description('apply database migrations and exit')
  .action(async () => {
    const settings = readSettings();
    const db = await openStore({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir, poolSize: 1 });
    try {
      const applied = await migrate(db);
      process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'database is up to date\n');
    } finally {
      await db.close();
    }
  });

program
  .command('status')
  .description('queues, last sync runs and failures, from the running daemon')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const settings = readSettings();
    const status = await daemonRequest<{
      queues: Array<{ name: string; counts: Record<string, number> }>;
      sources: Array<{
        id: string;
        kind: string;
        health?: string;
        healthReason?: string;
        healthSince?: string | null;
        lastRun: { mode: string; status: string; finishedAt: string | null; error: { message: string } | null } | null;
      }>;
    }>({ url: settings.daemonUrl, token: settings.adminToken }, 'GET', '/status');
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      return;
    }
    process.stdout.write('QUEUE        WAITING  ACTIVE  DELAYED  FAILED\n');
    for (const q of status.queues) {
      const c = q.counts;
      process.stdout.write(`${q.name.padEnd(12)} ${String(c['waiting'] ?? 0).padStart(7)} ${String(c['active'] ?? 0).padStart(7)} ${String(c['delayed'] ?? 0).padStart(8)} ${String(c['failed'] ?? 0).padStart(7)}\n`);
    }
    process.stdout.write('\nSOURCE           KIND    HEALTH   LAST RUN\n');
    for (const s of status.sources) {
      const run = s.lastRun ? `${s.lastRun.mode} ${s.lastRun.status}${s.lastRun.finishedAt ? ` at ${s.lastRun.finishedAt}` : ''}${s.lastRun.error ? ` — ${s.lastRun.error.message}` : ''}` : 'never';
      process.stdout.write(`${s.id.padEnd(16)} ${s.kind.padEnd(7)} ${(s.health ?? '-').padEnd(8)} ${run}\n`);
      // Trouble gets its reason on a line of its own: that is what the person on call acts on.
      if (s.health && s.health !== 'ok') process.stdout.write(`${''.padEnd(16)} ${s.health} since ${s.healthSince ?? '?'}: ${s.healthReason ?? ''}\n`);
    }
  });

program
  .command('sync')
  .description('run a directory sync now, through the running daemon, and follow it')
  .argument('<source>', 'source id from the config')
  .option('--full', 'a full run (default: delta where the directory offers one)')
  .option('--dry-run', 'report what would change; write nothing')
  .option('--allow-deletes', 'apply deletions beyond the source\'s maxDeletes')
  .action(async (source: string, opts: { full?: boolean; dryRun?: boolean; allowDeletes?: boolean }) => {
    const settings = readSettings();
    process.exitCode = await syncCommand({ url: settings.daemonUrl, token: settings.adminToken }, source, opts);
  });

program
  .command('import')
  .description('import users into a workspace from a CSV file (config/users-import-template.csv), through the running daemon')
  .argument('<csv>', 'the CSV file: email,firstName,lastName,company,role,validUntil')
  .requiredOption('--workspace <id>', 'the workspace to import into')
  .option('--dry-run', 'validate and report what would change; write nothing')
  .option('--json', 'print JSON')
  .action(async (file: string, opts: { workspace: string; dryRun?: boolean; json?: boolean }) => {
    const settings = readSettings();
    process.exitCode = await importCommand({ url: settings.daemonUrl, token: settings.adminToken }, file, opts);
  });

const tokens = program.command('tokens').description('API tokens (stored hashed; a new one is shown once), through the running daemon');
tokens
  .command('list')
  .description('live tokens: id, kind, subject, created, last used, expires (never a secret)')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const settings = readSettings();
    process.exitCode = await tokensListCommand({ url: settings.daemonUrl, token: settings.adminToken }, opts);
  });
tokens
  .command('create')
  .description('create a SCIM token for a source, or an admin API token acting as a person')
  .option('--source <id>', 'a kind: scim source id from the config')
  .option('--person <email>', "a person's e-mail")
  .option('--expires-in <duration>', 'ISO-8601 duration such as P30D (default: no expiry)')
  .action(async (opts: { source?: string; person?: string; expiresIn?: string }) => {
    const settings = readSettings();
    process.exitCode = await tokensCreateCommand({ url: settings.daemonUrl, token: settings.adminToken }, opts);
  });
tokens
  .command('revoke')
  .description('revoke a token by id: it stops working at once')
  .argument('<id>', 'the token id (from tokens list)')
  .action(async (id: string) => {
    const settings = readSettings();
    process.exitCode = await tokensRevokeCommand({ url: settings.daemonUrl, token: settings.adminToken }, id);
  });

program
  .command('explain')
  .description("why a person holds what they hold: each grant, the rule and account behind it, what ended it; through the running daemon")
  .argument('<email>', "the person's e-mail")
  .option('--workspace <id>', 'only this workspace')
  .option('--json', 'print JSON')
  .action(async (email: string, opts: { workspace?: string; json?: boolean }) => {
    const settings = readSettings();
    process.exitCode = await explainCommand({ url: settings.daemonUrl, token: settings.adminToken }, email, opts);
  });

const rules = program.command('rules').description('workspace rules');
rules
  .command('preview')
  .description("what a config file's workspaces (and lifecycle) would grant, change and suspend for everyone; writes nothing")
  .argument('<config>', 'a config file (YAML or JSON); its workspaces and lifecycle sections are used')
  .option('--unchanged', 'list the memberships that stay too')
  .option('--json', 'print JSON')
  .action(async (file: string, opts: { unchanged?: boolean; json?: boolean }) => {
    const settings = readSettings();
    process.exitCode = await rulesPreviewCommand({ url: settings.daemonUrl, token: settings.adminToken }, file, opts);
  });

program.parseAsync(process.argv).catch(fail);
process.on('unhandledRejection', fail);
