import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { adminContext, type AdminContext } from '../../src/admin/context.js';
import { adminApiRouters } from '../../src/api/admin-routes.js';
import { AuthFailureLimiter } from '../../src/api/auth-failure-limiter.js';
import { createHttpApp } from '../../src/api/http-app.js';
import { listen } from '../../src/api/listen.js';
import { createMetrics } from '../../src/api/metrics.js';
import { hashToken, newToken } from '../../src/domain/secret-tokens.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/log.js';
import type { Db } from '../../src/store/db.js';
import { registerConfig } from '../../src/store/registry.js';
import { deletePrefix, testRedis, uniquePrefix } from './redis.js';

export const SYSTEM = 'system-token-admin-tests';

export interface AdminApp {
  url: string;
  ctx: AdminContext;
  config: Config;
  clock: { now: Date };
  /** A JSON request; `token` defaults to the system token. */
  call<T = Record<string, unknown>>(method: string, path: string, options?: { token?: string; body?: unknown; contentType?: string; accept?: string }): Promise<{ status: number; body: T; text: string }>;
  /** A person token for `email` (the person is created when missing). */
  tokenFor(email: string): Promise<string>;
  close(): Promise<void>;
}

/** The admin API over a given store, on a free port, with a clock the test controls. */
export async function startAdminApp(db: Db, rawConfig: unknown = {}): Promise<AdminApp> {
  const config = parseConfig(rawConfig);
  await registerConfig(db, config);
  const clock = { now: new Date('2026-03-01T12:00:00Z') };
  const ctx = adminContext(db, config, () => clock.now);
  const redis = testRedis();
  const sink = new Writable({ write(_c, _e, cb) { cb(); } });
  const logger = createLogger({ destination: sink });
  // A prefix of its own, so that failed attempts counted by one test app never limit another.
  const prefix = uniquePrefix('admin');
  const authFailures = new AuthFailureLimiter({ redis, prefix, trustProxy: config.http.trustProxy, logger });
  const app = createHttpApp({ db, redis, queues: [], metrics: createMetrics([]), logger, adminToken: SYSTEM, authFailures, now: () => clock.now, apiRouters: adminApiRouters(ctx) });
  // As the daemon listens: requests its HTTP parser refuses are answered by the same handler.
  const server: Server = await listen(app, { host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    ctx,
    config,
    clock,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? SYSTEM}` };
      if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
      if (options.accept) headers['accept'] = options.accept;
      const res = await fetch(`${url}/api/v1${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      });
      const text = await res.text();
      let body: unknown = undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.status, body: body as never, text };
    },
    async tokenFor(email) {
      await db.query(`insert into people (email, kind) values ($1, 'internal') on conflict (lower(email)) do nothing`, [email]);
      const token = newToken('idsp');
      await db.query(`insert into api_tokens (token_hash, kind, person_id) select $1, 'person', id from people where lower(email) = lower($2)`, [hashToken(token), email]);
      return token;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deletePrefix(redis, prefix).catch(() => {});
      redis.disconnect();
    },
  };
}
