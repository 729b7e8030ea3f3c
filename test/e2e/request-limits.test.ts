/**
 * Security property: request limits, over real HTTP against the daemon. Bodies larger than the
 * limit are refused with 413 and the surface's own error body (SCIM, admin API, CSV import) — and
 * never read before the client has authenticated; headers larger than the limit get 431; a client
 * that sends its headers or its body a byte at a time is cut off by `headersTimeout` /
 * `requestTimeout` (set explicitly by `listen`, shortened here), an idle keep-alive connection by
 * `keepAliveTimeout`; a Bulk request may carry at most ServiceProviderConfig's `maxOperations`.
 */
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_LIMITS, listen } from '../../src/api/listen.js';
import { readSettings } from '../../src/config/env.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { openTestStore, type TestStore } from '../helpers/db.js';
import { httpRequest } from '../helpers/http-request.js';
import { deletePrefix, TEST_REDIS_URL, testRedis, uniquePrefix } from '../helpers/redis.js';

const ADMIN = 'admin-token-for-the-limits-test';
const HR = 'hr-token-for-the-limits-test';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const LIMITS = { headersTimeoutMs: 600, requestTimeoutMs: 1500, keepAliveTimeoutMs: 400, checkIntervalMs: 100 };

interface RawOutcome {
  /** What the server sent before it closed the connection. */
  received: string;
  /** From the first byte sent to the close. */
  ms: number;
}

/**
 * Opens a connection, sends `head` at once, then `trickle` one byte every `everyMs`, and waits for
 * the server to close the connection (or `giveUpMs`).
 */
function slowClient(port: number, head: string, trickle: string, everyMs: number, giveUpMs: number): Promise<RawOutcome & { closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const started = Date.now();
    let received = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      resolve({ received, ms: Date.now() - started, closedByServer: false });
    }, giveUpMs);
    socket.on('data', (d) => (received += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ received, ms: Date.now() - started, closedByServer: true });
    });
    socket.once('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (socket.destroyed) return;
        socket.write(trickle[sent % trickle.length] as string);
        sent++;
      }, everyMs);
    });
    socket.once('error', reject);
  });
}

describe('request limits', () => {
  let store: TestStore;
  let daemon: Daemon;
  let prefix: string;
  let port: number;

  const scim = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    httpRequest(`${daemon.url}/scim/v2${path}`, { method, headers: { authorization: `Bearer ${HR}`, 'content-type': 'application/scim+json', ...headers }, body });
  const api = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    httpRequest(`${daemon.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...headers }, body });

  beforeAll(async () => {
    store = await openTestStore('postgres');
    prefix = uniquePrefix('limits');
    daemon = await startDaemon({
      settings: { ...readSettings({}), port: 0, redisUrl: TEST_REDIS_URL, queuePrefix: prefix, adminToken: ADMIN },
      config: parseConfig({ sources: [{ id: 'hr', kind: 'scim', tokenEnv: 'HR' }], workspaces: [{ id: 'eng', name: 'Engineering' }] }),
      roles: { http: true, worker: false, scheduler: false },
      logger: createLogger({ destination: new Writable({ write: (_c, _e, done) => done() }) }),
      db: store.db,
      env: { HR },
      httpLimits: LIMITS,
    });
    port = Number(new URL(daemon.url as string).port);
  });
  afterAll(async () => {
    await daemon?.close();
    await store?.close();
    const redis = testRedis();
    await deletePrefix(redis, prefix).catch(() => {});
    redis.disconnect();
  });

  describe('body size', () => {
    it('SCIM: over 1 MiB is 413 with a SCIM error body, with or without a Content-Length', async () => {
      const big = JSON.stringify({ userName: 'big@example.com', title: 'x'.repeat(1_100_000) });
      for (const headers of [{}, { 'transfer-encoding': 'chunked' }] as Array<Record<string, string>>) {
        const res = await scim('POST', '/Users', big, headers);
        expect(res.status).toBe(413);
        expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
        expect(res.json).toEqual({ schemas: [ERROR], status: '413', detail: 'The request body is larger than the server accepts' });
      }
      // The same limit is advertised for Bulk, and holds there.
      const config = (await scim('GET', '/ServiceProviderConfig')).json as { bulk: { maxPayloadSize: number; maxOperations: number } };
      expect(config.bulk).toEqual({ supported: true, maxPayloadSize: 1_048_576, maxOperations: 1000 });
      const bulk = JSON.stringify({ schemas: [BULK], Operations: [{ method: 'POST', path: '/Users', bulkId: 'a', data: { userName: 'a@example.com', title: 'x'.repeat(config.bulk.maxPayloadSize) } }] });
      const refused = await scim('POST', '/Bulk', bulk);
      expect(refused.status).toBe(413);
      expect(refused.json).toMatchObject({ schemas: [ERROR], status: '413' });
    });

    it('admin API: JSON over 1 MB and CSV over 20 MB are 413 payload_too_large', async () => {
      const json = await api('POST', '/workspaces', JSON.stringify({ id: 'big', name: 'x'.repeat(1_100_000) }));
      expect(json.status).toBe(413);
      expect(json.json).toEqual({ error: { code: 'payload_too_large', message: expect.any(String) } });
      const csv = `email,role\n${'someone@example.com,viewer\n'.repeat(810_000)}`;
      expect(csv.length).toBeGreaterThan(20 * 1024 * 1024);
      const imported = await api('POST', '/workspaces/eng/imports', csv, { 'content-type': 'text/csv' });
      expect(imported.status).toBe(413);
      expect((imported.json as { error: { code: string } }).error.code).toBe('payload_too_large');
    });

    it('a client without a valid token gets 401 before any body is read', async () => {
      const big = JSON.stringify({ id: 'big', name: 'x'.repeat(2_000_000) });
      for (const token of [undefined, 'not-a-token']) {
        const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
        expect((await httpRequest(`${daemon.url}/api/v1/workspaces`, { method: 'POST', headers, body: big })).status).toBe(401);
        expect((await httpRequest(`${daemon.url}/scim/v2/Users`, { method: 'POST', headers, body: big })).status).toBe(401);
      }
    });
  });

  it('Bulk: more operations than maxOperations is 413; maxOperations are run', async () => {
    const ops = (n: number) => Array.from({ length: n }, (_, i) => ({ method: 'DELETE', path: `/Users/00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }));
    const tooMany = await scim('POST', '/Bulk', JSON.stringify({ schemas: [BULK], Operations: ops(1001) }));
    expect(tooMany.status).toBe(413);
    expect(tooMany.json).toEqual({ schemas: [ERROR], status: '413', detail: 'A Bulk request may carry at most 1000 operations; this one has 1001' });
    const most = await scim('POST', '/Bulk', JSON.stringify({ schemas: [BULK], Operations: ops(1000) }));
    expect(most.status).toBe(200);
    expect((most.json as { Operations: unknown[] }).Operations).toHaveLength(1000);
  });

  it('headers over 16 KiB are 431, in a header or in the URL; a little under is served', async () => {
    const over = await httpRequest(`${daemon.url}/healthz`, { headers: { 'x-padding': 'x'.repeat(17 * 1024) } });
    expect(over.status).toBe(431);
    const longUrl = await httpRequest(`${daemon.url}/scim/v2/Users?filter=${'x'.repeat(17 * 1024)}`, { headers: { authorization: `Bearer ${HR}` } });
    expect(longUrl.status).toBe(431);
    const under = await httpRequest(`${daemon.url}/healthz`, { headers: { 'x-padding': 'x'.repeat(15 * 1024) } });
    expect(under.status).toBe(200);
  });

  it('a client sending its headers a byte at a time is cut off after headersTimeout', async () => {
    const outcome = await slowClient(port, 'GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n', `X-Slow: ${'a'.repeat(200)}`, 50, 10_000);
    expect(outcome.closedByServer).toBe(true);
    expect(outcome.received).toMatch(/^HTTP\/1\.1 408/);
    expect(outcome.ms).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 50);
    expect(outcome.ms).toBeLessThan(LIMITS.headersTimeoutMs + 3 * LIMITS.checkIntervalMs + 1000);
  });

  it('a client sending its body a byte at a time is cut off after requestTimeout', async () => {
    const head = `POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${HR}\r\nContent-Type: application/scim+json\r\nContent-Length: 100000\r\n\r\n`;
    const outcome = await slowClient(port, head, '{"userName":"slow@example.com","title":"', 20, 10_000);
    expect(outcome.closedByServer).toBe(true);
    expect(outcome.ms).toBeGreaterThanOrEqual(LIMITS.requestTimeoutMs - 50);
    expect(outcome.ms).toBeLessThan(LIMITS.requestTimeoutMs + 3 * LIMITS.checkIntervalMs + 1000);
    expect((await scim('GET', '/Users?filter=userName%20eq%20%22slow@example.com%22')).json).toMatchObject({ totalResults: 0 });
  });

  it('an idle keep-alive connection is closed after keepAliveTimeout', async () => {
    const outcome = await slowClient(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', '', 1_000_000, 10_000);
    expect(outcome.received).toMatch(/^HTTP\/1\.1 200/);
    expect(outcome.closedByServer).toBe(true);
    expect(outcome.ms).toBeLessThan(LIMITS.keepAliveTimeoutMs + 3 * LIMITS.checkIntervalMs + 1000);
  });

  it('listen() sets every limit explicitly by default', async () => {
    const server = await listen((_req, res) => res.end(), { host: '127.0.0.1', port: 0 });
    try {
      expect({
        headersTimeout: server.headersTimeout,
        requestTimeout: server.requestTimeout,
        keepAliveTimeout: server.keepAliveTimeout,
        maxHeaderSize: (server as unknown as { maxHeaderSize: number }).maxHeaderSize,
      }).toEqual({
        headersTimeout: DEFAULT_HTTP_LIMITS.headersTimeoutMs,
        requestTimeout: DEFAULT_HTTP_LIMITS.requestTimeoutMs,
        keepAliveTimeout: DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs,
        maxHeaderSize: DEFAULT_HTTP_LIMITS.maxHeaderBytes,
      });
      expect(DEFAULT_HTTP_LIMITS).toEqual({ headersTimeoutMs: 20_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000, checkIntervalMs: 1_000, maxHeaderBytes: 16_384 });
    } finally {
      server.close();
    }
  });
});
