import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncCommand } from '../../src/cli/sync-command.js';
import { readSettings } from '../../src/config/env.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { oktaId, startOktaFake, type OktaFake } from '../fakes/okta/index.js';
import { openTestStore, type TestStore } from '../helpers/db.js';
import { waitFor } from '../helpers/process.js';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const OKTA_TOKEN = `00${randomBytes(20).toString('base64url')}`;
const ADMIN = `okta-delta-${randomBytes(8).toString('hex')}`;

interface RunJson {
  id: string;
  mode: string;
  status: string;
  counts: { deleted: number };
  notices: Array<{ code: string; message: string }>;
}

/**
 * Okta deltas that take access away: deactivated users (which Okta lists only when asked for by
 * status) and deleted ones (which only its System Log still knows), through the daemon — `idsync
 * sync`, the sync worker, the runs API, reconciliation — against the Okta fake and PostgreSQL.
 */
describe('Okta deltas: deactivated and deleted users lose access at the next delta', () => {
  let okta: OktaFake;
  let store: TestStore;
  let daemon: Daemon;
  const prefix = uniquePrefix('oktadelta');
  const logs: string[] = [];
  /** Active members of Group 2 (the editor rule's group) with an e-mail, in id order. */
  let editors: string[];

  beforeAll(async () => {
    okta = await startOktaFake({ users: 300, groups: 5, apiToken: OKTA_TOKEN });
    store = await openTestStore('postgres');
    const config = parseConfig({
      sources: [{ id: 'okta', kind: 'okta', orgUrl: okta.url, apiTokenEnv: 'OKTA_TOKEN', retry: { baseDelayMs: 10 }, maxDeletes: 10 }],
      workspaces: [{ id: 'ws-okta', name: 'Okta', roles: { editor: [{ source: 'okta', group: 'Group 2' }] } }],
    });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    daemon = await startDaemon({
      settings: { ...readSettings({}), port: 0, redisUrl: TEST_REDIS_URL, queuePrefix: prefix, adminToken: ADMIN },
      config,
      roles: { http: true, worker: true, scheduler: false },
      logger: createLogger({ destination: sink }),
      db: store.db,
      env: { OKTA_TOKEN },
    });
    const group2 = okta.directory.groups.get(oktaId('00g', 2));
    editors = [...(group2?.members ?? [])].filter((id) => okta.directory.users.get(id)?.status === 'ACTIVE').sort();
    const full = await sync({ full: true });
    expect(full.code).toBe(0);
    await waitFor(async () => ((await grant(editors.at(-1) as string)) === 'active' ? true : undefined), 30_000, 'the full run\'s grants');
  }, 60_000);
  afterAll(async () => {
    await daemon?.close();
    await store?.close();
    await okta?.close();
    const redis = testRedis();
    await deletePrefix(redis, `{${prefix}}`);
    await redis.quit();
  });

  /** `idsync sync okta [--full]` against the daemon: its exit code, its output, and the run as the runs API lists it. */
  async function sync(options: { full?: boolean } = {}): Promise<{ code: number; output: string; run: RunJson }> {
    let output = '';
    const out = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    }) as unknown as NodeJS.WriteStream;
    const code = await syncCommand({ url: daemon.url as string, token: ADMIN }, 'okta', options, out);
    const listed = await fetch(`${daemon.url}/api/v1/sources/okta/runs?limit=1`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const { runs } = (await listed.json()) as { runs: RunJson[] };
    return { code, output, run: runs[0] as RunJson };
  }

  /** The editor grant in ws-okta of the person behind Okta user `id`. */
  async function grant(id: string): Promise<string | undefined> {
    const email = okta.directory.users.get(id)?.profile.email ?? emails.get(id);
    const r = await store.db.query<{ status: string }>(
      `select m.status from memberships m join people p on p.id = m.person_id
        where lower(p.email) = lower($1) and m.workspace_id = 'ws-okta' and m.role = 'editor' and m.origin = 'rules'`,
      [email],
    );
    return r.rows[0]?.status;
  }
  /** E-mails of users deleted from the fake, which no longer knows them. */
  const emails = new Map<string, string>();
  function deleteInOkta(id: string): void {
    emails.set(id, okta.directory.users.get(id)?.profile.email as string);
    okta.directory.deleteUser(id);
  }
  /** Whether observed state holds Okta user `id` as deleted (`undefined`: never seen). */
  async function removed(id: string): Promise<boolean | undefined> {
    const r = await store.db.query<{ deleted: boolean }>(`select deleted_at is not null as deleted from source_users where source_id = 'okta' and external_id = $1`, [id]);
    return r.rows[0]?.deleted;
  }
  const settled = (id: string, status: string) => waitFor(async () => ((await grant(id)) === status ? true : undefined), 30_000, `${id}'s grant to be ${status}`);

  it('a user deactivated in Okta: the next delta suspends their grants', async () => {
    const [deactivated, kept] = editors as [string, string];
    okta.directory.setStatus(deactivated, 'DEPROVISIONED');
    const { code, run } = await sync();
    expect(code).toBe(0);
    expect(run).toMatchObject({ mode: 'delta', status: 'succeeded', notices: [] });
    await settled(deactivated, 'suspended');
    expect(await grant(kept)).toBe('active');
  });

  it('a user deleted in Okta: the next delta removes them and suspends their grants', async () => {
    const deleted = editors[2] as string;
    deleteInOkta(deleted);
    const { code, run } = await sync();
    expect(code).toBe(0);
    expect(run).toMatchObject({ mode: 'delta', status: 'succeeded', notices: [] });
    expect(run.counts.deleted).toBe(1);
    expect(await removed(deleted)).toBe(true);
    await settled(deleted, 'suspended');
  });

  it('a token that may not read the System Log: the delta succeeds and says so; the full run removes the deleted user', async () => {
    okta.setApiTokenScopes(['okta.users.read', 'okta.groups.read']);
    try {
      const deleted = editors[3] as string;
      deleteInOkta(deleted);
      const delta = await sync();
      expect(delta.code).toBe(0);
      expect(delta.run).toMatchObject({ mode: 'delta', status: 'succeeded', counts: { deleted: 0 } });
      expect(delta.run.notices.map((n) => n.code)).toEqual(['deletions-deferred']);
      expect(delta.run.notices[0]?.message).toContain('okta.logs.read');
      expect(delta.output).toMatch(/notice\s+source "okta": Okta refused to read its System Log \(403\)/);
      expect(logs.some((line) => line.includes('deletions-deferred'))).toBe(true);
      expect(logs.join('')).not.toContain(OKTA_TOKEN);
      // Not yet: the deletion waits for the full run. (Its group's member list, read again, took
      // the rule's grant already; a grant by anything else would still stand.)
      expect(await removed(deleted)).toBe(false);

      // A full listing leaves DEPROVISIONED users out, so the engine takes them as gone too.
      const live = await store.db.query<{ external_id: string }>(`select external_id from source_users where source_id = 'okta' and deleted_at is null`);
      const gone = live.rows.filter((r) => (okta.directory.users.get(r.external_id)?.status ?? 'DEPROVISIONED') === 'DEPROVISIONED');
      expect(gone.map((r) => r.external_id)).toContain(deleted);
      const full = await sync({ full: true });
      expect(full.code).toBe(0);
      expect(full.run).toMatchObject({ mode: 'full', status: 'succeeded', notices: [] });
      expect(full.run.counts.deleted).toBe(gone.length);
      expect(await removed(deleted)).toBe(true);
      await settled(deleted, 'suspended');
    } finally {
      okta.setApiTokenScopes(['okta.users.read', 'okta.groups.read', 'okta.logs.read']);
    }
  });
});
