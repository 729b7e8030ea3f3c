import type { RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import type { AuthFailureLimiter } from '../api/auth-failure-limiter.js';
import type { Env } from '../config/env.js';
import type { RedisConnection } from '../queue/redis.js';
import type { Db } from '../store/db.js';
import type { ConsoleConfig } from './config.js';
import { consoleRouter } from './console-router.js';
import { consoleSessionAuth } from './session-auth.js';
import { SessionStore } from './session-store.js';

/** What `createHttpApp` mounts: the console at `/console`, and the session check before `/api/v1`'s bearer check. */
export interface ConsoleMount {
  router: Router;
  sessionAuth: RequestHandler;
}

export interface CreateConsoleOptions {
  config: ConsoleConfig;
  db: Db;
  redis: RedisConnection;
  /** The queue prefix (hash-tagged): session keys live beside the queues. */
  prefix: string;
  env: Env;
  logger: Logger;
  now: () => Date;
  adminToken: string | undefined;
  daemonUrl: string;
  trustProxy: boolean;
  authFailures: AuthFailureLimiter;
  /** Session lifetimes (defaults: 30 minutes idle, 12 hours in all); tests shorten them. */
  idleMs?: number;
  absoluteMs?: number;
}

export function createConsole(options: CreateConsoleOptions): ConsoleMount {
  const secretOf = (name: string | undefined): string | undefined => (name === undefined ? undefined : options.env[name] || undefined);
  const sessions = new SessionStore({
    redis: options.redis,
    prefix: options.prefix,
    secret: secretOf(options.config.sessionSecretEnv),
    idleMs: options.idleMs,
    absoluteMs: options.absoluteMs,
  });
  return {
    router: consoleRouter({
      config: options.config,
      db: options.db,
      sessions,
      logger: options.logger,
      now: options.now,
      adminToken: options.adminToken,
      clientSecret: secretOf(options.config.oidc?.clientSecretEnv),
      daemonUrl: options.daemonUrl,
      trustProxy: options.trustProxy,
      authFailures: options.authFailures,
    }),
    sessionAuth: consoleSessionAuth({ sessions, db: options.db, now: options.now }),
  };
}
