/**
 * Cloud connector throughput: 50,000 users (and 500 groups, two per user) from each fake through
 * its connector, printed as measured. The fake and the connector each run in their own child
 * process, so a connector's peak RSS is its own (process.resourceUsage().maxRSS).
 *
 *   npm run bench:cloud -- [users=50000] [groups=500] [kinds=entra,okta,google]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Connector } from '../../src/connector/connector.js';
import { reportFigure } from './figure.js';

type Kind = 'entra' | 'okta' | 'google';

interface FakeReady {
  url: string;
  /** Entra: tenant / client ids; Google: the key file. */
  extra: Record<string, string>;
}

interface RunResult {
  users: number;
  groups: number;
  memberships: number;
  pages: number;
  ms: number;
  maxRssMb: number;
  throttles: number;
}

/** Shared by the parent and both children (through the environment). */
const SECRET = process.env['BENCH_SECRET'] ?? randomBytes(18).toString('base64url');

async function fakeProcess(kind: Kind, users: number, groups: number): Promise<void> {
  let ready: FakeReady;
  let close: () => Promise<void>;
  if (kind === 'entra') {
    const { startGraphFake } = await import('../fakes/graph/index.js');
    const fake = await startGraphFake({ users, groups, clientSecret: SECRET });
    ready = { url: fake.url, extra: { tenantId: fake.tenantId, clientId: fake.clientId, graphUrl: fake.graphUrl } };
    close = fake.close;
  } else if (kind === 'okta') {
    const { startOktaFake } = await import('../fakes/okta/index.js');
    const fake = await startOktaFake({ users, groups, apiToken: SECRET });
    ready = { url: fake.url, extra: {} };
    close = fake.close;
  } else {
    const { startGoogleFake } = await import('../fakes/google/index.js');
    const fake = await startGoogleFake({ users, groups });
    ready = { url: fake.url, extra: { key: fake.serviceAccountKey() } };
    close = fake.close;
  }
  process.send?.({ ready });
  const stop = () => void close().then(() => process.exit(0));
  process.on('message', stop);
  process.on('disconnect', stop);
}

async function connectorFor(kind: Kind, ready: FakeReady): Promise<Connector> {
  const retry = { baseDelayMs: 100 };
  if (kind === 'entra') {
    const { createEntraConnector, entraSourceConfig } = await import('../../connectors/entra/index.js');
    const { redirectingNetworkClient } = await import('../fakes/graph/msal-network-client.js');
    const config = entraSourceConfig.parse({
      id: 'bench-entra',
      kind: 'entra',
      tenantId: ready.extra['tenantId'],
      clientId: ready.extra['clientId'],
      clientSecretEnv: 'SECRET',
      graphUrl: ready.extra['graphUrl'],
      retry,
    });
    return createEntraConnector(config, {
      env: { SECRET },
      sourceId: 'bench-entra',
      msalNetworkClient: redirectingNetworkClient('https://login.microsoftonline.com', ready.url),
    });
  }
  if (kind === 'okta') {
    const { createOktaConnector, oktaSourceConfig } = await import('../../connectors/okta/index.js');
    const config = oktaSourceConfig.parse({ id: 'bench-okta', kind: 'okta', orgUrl: ready.url, apiTokenEnv: 'SECRET', retry });
    return createOktaConnector(config, { env: { SECRET }, sourceId: 'bench-okta' });
  }
  const { createGoogleConnector, googleSourceConfig } = await import('../../connectors/google/index.js');
  const config = googleSourceConfig.parse({
    id: 'bench-google',
    kind: 'google',
    adminSubject: 'admin@example.com',
    serviceAccountKeyEnv: 'KEY',
    directoryUrl: ready.url,
    retry,
  });
  return createGoogleConnector(config, { env: { KEY: ready.extra['key'] }, sourceId: 'bench-google' });
}

async function runProcess(kind: Kind, ready: FakeReady): Promise<void> {
  const connector = await connectorFor(kind, ready);
  const result: RunResult = { users: 0, groups: 0, memberships: 0, pages: 0, ms: 0, maxRssMb: 0, throttles: 0 };
  const start = performance.now();
  for await (const page of connector.full({ onThrottle: () => result.throttles++ })) {
    result.pages++;
    result.users += page.users?.length ?? 0;
    result.groups += page.groups?.length ?? 0;
    for (const group of page.groups ?? []) result.memberships += group.memberExternalIds?.length ?? 0;
  }
  result.ms = performance.now() - start;
  result.maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.send?.({ result });
  process.disconnect?.();
}

function child(args: string[]): ChildProcess {
  return fork(process.argv[1] as string, args, {
    execArgv: process.execArgv,
    env: { ...process.env, BENCH_SECRET: SECRET },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function once<T>(proc: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    proc.on('message', (message: Record<string, unknown>) => {
      if (key in message) resolve(message[key] as T);
    });
    proc.on('exit', (code) => reject(new Error(`${key}: child exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const [mode, kindArg, payload] = process.argv.slice(2);
  if (mode === 'fake') return fakeProcess(kindArg as Kind, Number(payload?.split(',')[0]), Number(payload?.split(',')[1]));
  if (mode === 'run') return runProcess(kindArg as Kind, JSON.parse(payload as string) as FakeReady);

  const users = Number(process.argv[2] ?? 50_000);
  const groups = Number(process.argv[3] ?? 500);
  const kinds = (process.argv[4] ?? 'entra,okta,google').split(',') as Kind[];
  console.log(`cloud connectors: ${users} users, ${groups} groups per fake (node ${process.version}, ${(await import('node:os')).cpus().length} cpus)`);
  for (const kind of kinds) {
    const fake = child(['fake', kind, `${users},${groups}`]);
    const ready = await once<FakeReady>(fake, 'ready');
    const run = child(['run', kind, JSON.stringify(ready)]);
    const result = await once<RunResult>(run, 'result');
    const entries = result.users + result.groups;
    console.log(
      `${kind.padEnd(7)} ${result.users} users + ${result.groups} groups (${result.memberships} memberships) in ${result.pages} pages: ` +
        `${(result.ms / 1000).toFixed(2)} s, ${Math.round(entries / (result.ms / 1000))} entries/s, peak RSS ${result.maxRssMb.toFixed(0)} MB, ${result.throttles} waits`,
    );
    reportFigure({ bench: 'cloud', name: `${kind} full read, ${users / 1000}k users + ${groups} groups`, value: entries / (result.ms / 1000), unit: 'entries/s', better: 'higher' });
    fake.send('close');
    await new Promise((resolve) => fake.once('exit', resolve));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
