/**
 * The provisioning log's store, listing and retention on both stores: `GET /sources/{id}/requests`
 * pages newest first through entries that share a timestamp, filters by time and status and refuses
 * bad parameters; the lifecycle sweep deletes what `retention.requestLog` no longer keeps; the
 * writer batches, keeps what the database refused, and writes what is left when it closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { runSweeps } from '../../src/lifecycle/run-sweeps.js';
import { lifecycleSettings } from '../../src/lifecycle/settings.js';
import { RequestLogWriter } from '../../src/scim/http/request-log-writer.js';
import type { Queryable } from '../../src/store/db.js';
import { insertScimRequests, type ScimRequestEntry } from '../../src/store/events/provisioning-log.js';
import { startAdminApp, type AdminApp } from '../helpers/admin-app.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T12:00:00Z');

const entry = (sourceId: string, at: Date, status: number, n: number): ScimRequestEntry => ({
  sourceId,
  at,
  method: 'GET',
  path: `/Users/u-${n}`,
  status,
  scimType: status === 409 ? 'uniqueness' : null,
  durationMs: 1.5,
  operations: null,
  resourceIds: [`u-${n}`],
  error: status >= 400 ? `failure ${n}` : null,
});

describe.each(STORE_KINDS)('provisioning log store and listing (%s)', (kind) => {
  let store: TestStore;
  let app: AdminApp;
  beforeAll(async () => {
    store = await openTestStore(kind);
    app = await startAdminApp(store.db, { sources: [{ id: 'entra', kind: 'scim' }, { id: 'okta', kind: 'scim' }] });
    // 250 entries of entra, two per millisecond-timestamp (the id breaks the tie), statuses mixed; and one of okta.
    const entries = Array.from({ length: 250 }, (_, i) => entry('entra', new Date(NOW.getTime() - 60_000 + Math.floor(i / 2) * 100), i % 5 === 0 ? 409 : i % 7 === 0 ? 500 : 200, i));
    await insertScimRequests(store.db, entries);
    await insertScimRequests(store.db, [entry('okta', NOW, 200, 999)]);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const list = async (query: string) => {
    const r = await app.call<{ requests: Array<Record<string, unknown>>; next: string | null }>('GET', `/sources/entra/requests${query}`);
    expect(r.status).toBe(200);
    return r.body;
  };

  it('pages newest first, each entry once, 100 by default and up to 1000', async () => {
    const seen: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { requests: Array<Record<string, unknown>>; next: string | null } = await list(cursor === null ? '' : `?cursor=${cursor}`);
      seen.push(...page.requests);
      cursor = page.next;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(250);
    expect(new Set(seen.map((e) => e['id'])).size).toBe(250);
    // Newest first; within one timestamp, the later id first.
    expect(seen.map((e) => e['path'])).toEqual(Array.from({ length: 250 }, (_, i) => `/Users/u-${249 - i}`));
    expect(seen[0]).toEqual({ id: expect.any(String), at: expect.any(String), method: 'GET', path: '/Users/u-249', status: 200, scimType: null, durationMs: 1.5, operations: null, resourceIds: ['u-249'], error: null });
    expect((await list('?limit=1000')).requests).toHaveLength(250);
    const two = await list('?limit=2');
    expect(two.requests.map((e) => e['path'])).toEqual(['/Users/u-249', '/Users/u-248']);
  });

  it('filters by time and by status or status class, and pages within the filter', async () => {
    const since = new Date(NOW.getTime() - 60_000 + 100 * 100).toISOString(); // from entry 200 on
    const recent = await list(`?since=${encodeURIComponent(since)}`);
    expect(recent.requests.map((e) => e['path'])).toEqual(Array.from({ length: 50 }, (_, i) => `/Users/u-${249 - i}`));
    const conflicts = await list('?status=409');
    expect(conflicts.requests).toHaveLength(50);
    expect(conflicts.requests.every((e) => e['status'] === 409 && e['scimType'] === 'uniqueness')).toBe(true);
    const clientErrors = await list('?status=4xx&limit=30');
    expect(clientErrors.requests).toHaveLength(30);
    const rest = await list(`?status=4xx&limit=30&cursor=${clientErrors.next}`);
    expect(rest.requests).toHaveLength(20);
    expect(rest.next).toBeNull();
    const serverErrors = await list('?status=5xx');
    expect(serverErrors.requests.map((e) => e['status'])).toEqual(Array(serverErrors.requests.length).fill(500));
    expect(serverErrors.requests.length).toBeGreaterThan(0);
    expect((await list('?status=201')).requests).toEqual([]);
  });

  it('keeps every value as written: quotes, backslashes, commas and braces in ids, no ids, nulls, fractions', async () => {
    const odd: ScimRequestEntry[] = [
      { sourceId: 'odd', at: new Date(NOW.getTime() + 1), method: 'POST', path: '/Bulk?x="{a,b}"', status: 200, scimType: null, durationMs: 12.25, operations: 3, resourceIds: ['a"b', 'c\\d', 'e,f', '{g}', 'NULL', ''], error: null },
      { sourceId: 'odd', at: new Date(NOW.getTime() + 2), method: 'PATCH', path: '/Groups/x', status: 409, scimType: 'uniqueness', durationMs: 0.5, operations: null, resourceIds: [], error: 'he said "no" \\ twice' },
    ];
    await insertScimRequests(store.db, odd);
    const rows = await store.db.query<Record<string, unknown>>(
      `select method, path, status, scim_type, duration_ms, operations, resource_ids, error from request_log where source_id = 'odd' order by at`,
    );
    expect(rows.rows).toEqual(
      odd.map((e) => ({ method: e.method, path: e.path, status: e.status, scim_type: e.scimType, duration_ms: e.durationMs, operations: e.operations, resource_ids: e.resourceIds, error: e.error })),
    );
  });

  it('refuses bad parameters by name', async () => {
    for (const [query, message] of [
      ['?since=yesterday', /since/],
      ['?status=4x', /status/],
      ['?status=600', /status/],
      ['?limit=0', /limit/],
      ['?limit=1001', /limit/],
      ['?cursor=bm90LWpzb24', /cursor/],
    ] as const) {
      const r = await app.call<{ error: { code: string; message: string } }>('GET', `/sources/entra/requests${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error).toEqual({ code: 'invalid_request', message: expect.stringMatching(message) });
    }
  });

  it('the lifecycle sweep deletes what retention.requestLog no longer keeps, in batches', async () => {
    const sweepStore = await openTestStore(kind);
    try {
      const config = parseConfig({ sources: [{ id: 'entra', kind: 'scim' }, { id: 'okta', kind: 'scim' }] });
      await sweepStore.db.query(`insert into sources (id, kind) values ('entra', 'scim'), ('okta', 'scim')`);
      const ages = [45, 31, 30.5, 29, 1, 0];
      await insertScimRequests(sweepStore.db, ages.flatMap((days, i) => [entry('entra', new Date(NOW.getTime() - days * DAY), 200, i), entry('okta', new Date(NOW.getTime() - days * DAY), 200, i)]));
      const settings = lifecycleSettings(config, 2);
      expect(settings.requestLogRetentionMs).toBe(30 * DAY);

      const swept = await runSweeps(sweepStore.db, settings, NOW);
      expect(swept.requestLogPruned).toBe(6);
      const left = await sweepStore.db.query<{ source_id: string; n: number }>(`select source_id, count(*)::int as n from request_log group by source_id order by source_id`);
      expect(left.rows).toEqual([{ source_id: 'entra', n: 3 }, { source_id: 'okta', n: 3 }]);
      expect((await runSweeps(sweepStore.db, settings, NOW)).requestLogPruned).toBe(0);

      const shorter = lifecycleSettings(parseConfig({ retention: { requestLog: 'PT12H' } }), 500);
      expect((await runSweeps(sweepStore.db, shorter, NOW)).requestLogPruned).toBe(4);
    } finally {
      await sweepStore.close();
    }
  });

  it('retention.requestLog must be an ISO-8601 duration', () => {
    expect(() => parseConfig({ retention: { requestLog: '30 days' } })).toThrow(ConfigError);
    try {
      parseConfig({ retention: { requestLog: '30 days' } });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^retention\.requestLog: /)]);
    }
    expect(parseConfig({}).retention.requestLog).toBe('P30D');
  });
});

describe.each(STORE_KINDS)('request log writer (%s)', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(kind);
  });
  afterAll(async () => {
    await store?.close();
  });

  /** The store, counting the statements sent and refusing them while `refusing` is set. */
  const wrapped = () => {
    const state = { statements: 0, refusing: false };
    const db: Queryable = {
      query: async (text, params) => {
        state.statements++;
        if (state.refusing) throw new Error('connection terminated');
        return store.db.query(text, params);
      },
    };
    return { db, state };
  };
  const paths = async (source: string) => (await store.db.query<{ path: string }>(`select path from request_log where source_id = $1 order by id`, [source])).rows.map((r) => r.path);

  it('writes in batches of at most 500, and what is left at once when closed', async () => {
    const { db, state } = wrapped();
    const writer = new RequestLogWriter({ db });
    for (let i = 0; i < 1200; i++) writer.record(entry('batches', NOW, 200, i));
    // Two batches were full and started at once; the last 200 would wait a second, but close writes them now.
    await writer.close();
    expect(state.statements).toBe(3);
    expect(await paths('batches')).toEqual(Array.from({ length: 1200 }, (_, i) => `/Users/u-${i}`));
  });

  it('keeps what the database refused and writes it, in order, once it answers again', async () => {
    const { db, state } = wrapped();
    const writer = new RequestLogWriter({ db });
    state.refusing = true;
    for (let i = 0; i < 3; i++) writer.record(entry('refused', NOW, 200, i));
    await writer.flush();
    expect(await paths('refused')).toEqual([]);
    writer.record(entry('refused', NOW, 200, 3));
    state.refusing = false;
    await writer.close();
    expect(await paths('refused')).toEqual(['/Users/u-0', '/Users/u-1', '/Users/u-2', '/Users/u-3']);
  });

  it('a database that does not answer holds shutdown up a few seconds at most', async () => {
    const silent: Queryable = { query: () => new Promise(() => {}) };
    const writer = new RequestLogWriter({ db: silent });
    writer.record(entry('silent', NOW, 200, 0));
    const started = Date.now();
    await writer.close();
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 15_000);

  it('an entry PostgreSQL cannot store costs only itself: the rest of its batch and the next are written', async () => {
    const { db } = wrapped();
    const writer = new RequestLogWriter({ db });
    writer.record(entry('unstorable', NOW, 200, 0));
    writer.record({ ...entry('unstorable', NOW, 200, 1), path: '/Users/\u0000' });
    writer.record(entry('unstorable', NOW, 200, 2));
    await writer.flush();
    writer.record(entry('unstorable', NOW, 200, 3));
    await writer.close();
    expect(await paths('unstorable')).toEqual(['/Users/u-0', '/Users/u-2', '/Users/u-3']);
  });
});
