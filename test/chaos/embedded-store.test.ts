/**
 * Scenario 5 — the embedded store. `idsync start` on PGlite gets `kill -9` in the middle of a CSV
 * import, and in the middle of a directory sync (OpenLDAP). Each time it starts again on the same
 * data directory (taking over the dead process's lock): the import is applied whole or not at all,
 * the sync's next run converges, and the data directory opens and answers. Granted state ends where
 * an undisturbed run of the same steps ends.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullPrefix, QUEUE_NAMES } from '../../src/queue/names.js';
import { createPgliteDb } from '../../src/store/pglite.js';
import { freePort } from '../helpers/process.js';
import { slapdSource, startSlapd, userDn, type Slapd } from '../helpers/slapd.js';
import { chaosLog, until } from './harness/chaos-log.js';
import { describeDifference, grantedDump, type GrantedDump } from './harness/granted-dump.js';
import { IdsyncProcess, killAll } from './harness/idsync-process.js';
import { RedisServer } from './harness/redis-server.js';

const USERS = Number(process.env['CHAOS_LDAP_USERS'] ?? 10_000);
const IMPORT_ROWS = Number(process.env['CHAOS_IMPORT_ROWS'] ?? 3000);
const ADMIN = 'chaos-embedded-admin';

function configYaml(slapd: Slapd): string {
  const source = slapdSource(slapd, 'corp', 'LDAP_PW');
  return `organization:
  internalDomains: [example.com]
sources:
  - id: corp
    kind: ldap
    url: ${source.url}
    bindDn: "${source.bindDn}"
    passwordEnv: LDAP_PW
    users: { baseDn: "${source.users.baseDn}" }
    groups: { baseDn: "${source.groups.baseDn}" }
workspaces:
  - id: eng
    name: Engineering
    roles:
      admin: [{ source: corp, group: group1 }]
      editor: [{ source: corp, group: group2 }]
      viewer: [{ source: corp, group: group3 }]
  - id: partners
    name: Partners
    roles: {}
lifecycle:
  externalValidity: P90D
  maxExtension: P180D
  graceAfterDeprovision: P30D
  inactivity: P180D
  remindBefore: P14D
`;
}

/**
 * The directory's groups, after its users: the first half of the users is in no group. Those are
 * the ones a sync killed early has written; nothing about them changes for the next run to see.
 */
function groupsLdif(users: number): string {
  const half = Math.floor(users / 2);
  const members = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => `member: ${userDn(from + k)}`).join('\n');
  const group = (name: string, from: number, to: number) => `dn: cn=${name},ou=groups,dc=example,dc=com\nobjectClass: groupOfNames\ncn: ${name}\n${members(from, to)}\n\n`;
  return group('group1', half + 1, half + 500) + group('group2', half + 501, half + 2000) + group('group3', half + 1, users);
}

/** The import: people who are in no directory, one in three external. */
function importCsv(rows: number): string {
  const lines = ['email,firstName,lastName,company,role,validUntil'];
  for (let i = 0; i < rows; i++) lines.push(i % 3 === 2 ? `guest${i}@partner.test,Guest,${i},Partner Ltd,viewer,` : `member${i}@example.com,Member,${i},,${i % 2 ? 'editor' : 'viewer'},`);
  return `${lines.join('\n')}\n`;
}

/** One embedded deployment: a data directory, and `idsync start` processes run on it one after another. */
class Embedded {
  readonly dataDir: string;
  readonly prefix: string;
  port = 0;
  current: IdsyncProcess | undefined;
  readonly all: IdsyncProcess[] = [];
  constructor(
    readonly dir: string,
    readonly label: string,
    readonly redis: RedisServer,
    readonly configFile: string,
    readonly ldapPassword: string,
  ) {
    this.dataDir = path.join(dir, `${label}-data`);
    this.prefix = `idsync-chaos-embedded-${label}`;
  }

  async start(): Promise<IdsyncProcess> {
    this.port = await freePort();
    const p = new IdsyncProcess('start', {
      IDSYNC_DATA_DIR: this.dataDir,
      REDIS_URL: this.redis.url,
      IDSYNC_QUEUE_PREFIX: this.prefix,
      IDSYNC_CONFIG: this.configFile,
      IDSYNC_ADMIN_TOKEN: ADMIN,
      PORT: String(this.port),
      LDAP_PW: this.ldapPassword,
    });
    this.current = p;
    this.all.push(p);
    await p.started(120_000);
    return p;
  }

  api(method: string, route: string, body?: string, type = 'application/json'): Promise<Response> {
    return fetch(`http://127.0.0.1:${this.port}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': type }) },
      body,
      signal: AbortSignal.timeout(120_000),
    });
  }

  async latestRun(): Promise<{ id: string; status: string; counts: { seen: number } } | undefined> {
    const res = await this.api('GET', '/sources/corp/runs?limit=1');
    return ((await res.json()) as { runs: Array<{ id: string; status: string; counts: { seen: number } }> }).runs[0];
  }

  /** Triggers a full sync and waits for it to succeed (a 409 while an earlier run is still marked running is waited out). */
  lastCounts: unknown;
  async syncToSuccess(timeoutMs: number): Promise<number> {
    const started = Date.now();
    let runId: string | undefined;
    await until(async () => {
      const res = await this.api('POST', '/sources/corp/sync', JSON.stringify({ mode: 'full' }));
      if (res.status === 202) runId = ((await res.json()) as { run: { id: string } }).run.id;
      return res.status === 202;
    }, timeoutMs, 'a sync run accepted');
    await until(async () => {
      const res = await this.api('GET', `/sources/corp/runs/${runId}`);
      const { run } = (await res.json()) as { run: { status: string; error: { message: string } | null; counts: unknown } };
      this.lastCounts = run.counts;
      if (run.status === 'failed' || run.status === 'blocked') throw new Error(`sync run ${run.status}: ${run.error?.message}`);
      return run.status === 'succeeded';
    }, timeoutMs, 'the sync run to succeed');
    return Date.now() - started;
  }

  /**
   * Until no change job is waiting or running and none is parked in the daemon's store (a recovery
   * parks changes that its relay publishes within two seconds: an empty queue alone can come first).
   */
  async drained(timeoutMs = 120_000): Promise<void> {
    const queue = new Queue(QUEUE_NAMES.changes, { connection: this.redis.connect(), prefix: bullPrefix(this.prefix) });
    const parked = async () => {
      const text = await (await fetch(`http://127.0.0.1:${this.port}/metrics`, { signal: AbortSignal.timeout(30_000) })).text();
      return Number(/^idsync_parked_changes (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
    };
    try {
      let quiet = 0;
      await until(async () => {
        const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        quiet = Object.values(c).every((n) => n === 0) && (await parked()) === 0 ? quiet + 1 : 0;
        return quiet >= 3;
      }, timeoutMs, 'the change queue drained');
    } finally {
      await queue.close();
    }
  }

  /** Stops the process cleanly, then opens its data directory here: it must open, and answer. */
  async stopAndDump(): Promise<GrantedDump> {
    const stop = await this.current?.stop('SIGTERM', 30_000);
    expect(stop?.code).toBe(0);
    const db = await createPgliteDb({ dataDir: path.join(this.dataDir, 'pglite') });
    try {
      return await grantedDump(db);
    } finally {
      await db.close();
    }
  }
}

describe('scenario 5: the embedded store killed mid-import and mid-sync', () => {
  let slapd: Slapd;
  let redis: RedisServer;
  let dir: string;
  let configFile: string;
  const deployments: Embedded[] = [];
  const csv = importCsv(IMPORT_ROWS);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'idsync-chaos-embedded-'));
    [slapd, redis] = await Promise.all([startSlapd({ users: USERS, groups: 0, extraLdif: groupsLdif(USERS) }), RedisServer.create()]);
    configFile = path.join(dir, 'embedded.yaml');
    writeFileSync(configFile, configYaml(slapd));
  }, 120_000);
  afterAll(async () => {
    await killAll(deployments.flatMap((d) => d.all));
    await Promise.all([slapd?.stop(), redis?.destroy()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const deployment = (label: string) => {
    const d = new Embedded(dir, label, redis, configFile, slapd.password);
    deployments.push(d);
    return d;
  };

  let undisturbed: GrantedDump;
  let importMs = 0;
  let syncMs = 0;
  it('the undisturbed run: import, full sync, drained', async () => {
    const d = deployment('undisturbed');
    await d.start();
    const t = Date.now();
    const res = await d.api('POST', '/workspaces/partners/imports', csv, 'text/csv');
    expect(res.status, await res.clone().text()).toBe(200);
    importMs = Date.now() - t;
    syncMs = await d.syncToSuccess(180_000);
    await d.drained();
    undisturbed = await d.stopAndDump();
    chaosLog('5 undisturbed', { users: USERS, importRows: IMPORT_ROWS, importMs, syncMs, grants: undisturbed.memberships.length });
    expect(undisturbed.memberships.filter((m) => m.includes(' partners manual '))).toHaveLength(IMPORT_ROWS);
    expect(undisturbed.memberships.filter((m) => m.includes(' eng rules ')).length).toBe(USERS / 2);
    expect(undisturbed.people).toHaveLength(USERS + IMPORT_ROWS);
  });

  it('kill -9 mid-import, then mid-sync: each restart takes the data directory over; the import is whole or absent; the next sync converges', async () => {
    expect(undisturbed).toBeDefined();
    const d = deployment('killed');

    // 1. The import, killed half-way through its transaction.
    let p = await d.start();
    const importing = d.api('POST', '/workspaces/partners/imports', csv, 'text/csv').then((r) => r.status, () => 'cut off');
    await new Promise((r) => setTimeout(r, Math.max(50, importMs / 2)));
    p.child.kill('SIGKILL');
    await p.exited;
    const importAnswer = await importing;
    p = await d.start();
    const grants = async () => {
      const res = await d.api('GET', '/workspaces/partners/members?limit=1000');
      let n = 0;
      let page = (await res.json()) as { members: unknown[]; next: string | null };
      n += page.members.length;
      while (page.next) {
        page = (await (await d.api('GET', `/workspaces/partners/members?limit=1000&cursor=${encodeURIComponent(page.next)}`)).json()) as { members: unknown[]; next: string | null };
        n += page.members.length;
      }
      return n;
    };
    const afterKill = await grants();
    expect([0, IMPORT_ROWS]).toContain(afterKill);
    if (afterKill === 0) {
      const res = await d.api('POST', '/workspaces/partners/imports', csv, 'text/csv');
      expect(res.status).toBe(200);
    }

    // 2. The first sync, killed while it reads and writes the directory.
    const first = await d.api('POST', '/sources/corp/sync', JSON.stringify({ mode: 'full' }));
    expect(first.status).toBe(202);
    // at its first progress report (once a second), part of the directory read and written — or,
    // on a machine fast enough to finish the run soon after that report, half a second into it
    let killedAt: { status: string; counts: { seen: number } } | undefined;
    let runningSince: number | undefined;
    await until(async () => {
      killedAt = await d.latestRun();
      if (killedAt?.status !== 'running') return false;
      runningSince ??= Date.now();
      return killedAt.counts.seen > 0 || Date.now() - runningSince >= 500;
    }, 120_000, 'the sync under way');
    p.child.kill('SIGKILL');
    await p.exited;

    await d.start();
    const killedRun = await d.latestRun();
    const nextSyncMs = await d.syncToSuccess(300_000);
    await d.drained();
    const dump = await d.stopAndDump();
    chaosLog('5 embedded killed', { importAnsweredBeforeKill: importAnswer, importAfterKill: afterKill === 0 ? 'absent' : 'whole', killedAtSeen: killedAt?.counts.seen, killedRunAfterRestart: killedRun?.status, nextRunCounts: JSON.stringify(d.lastCounts), nextSyncMs, restarts: d.all.length - 1 });
    expect(describeDifference(undisturbed, dump)).toBe('');
  });
});
