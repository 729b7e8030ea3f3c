import { parseRedisUrl } from '../queue/redis-target.js';

/**
 * The process settings read from the environment — the only module that reads `process.env`
 * (connectors receive an `env` lookup for the secrets their config names).
 */
export interface Settings {
  /** `PORT`, default 8080. */
  port: number;
  /** `HOST`, default 127.0.0.1. */
  host: string;
  /**
   * `REDIS_URL`, default redis://127.0.0.1:6379: one server, or a Redis Cluster as
   * `redis+cluster://host:port,host:port,…` (see src/queue/redis-target.ts).
   */
  redisUrl: string;
  /** `DATABASE_URL`; unset → embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** `IDSYNC_DATA_DIR`, default ./data. */
  dataDir: string;
  /** `IDSYNC_CONFIG`, default config/default.yaml. */
  configFile: string;
  /** `IDSYNC_QUEUE_PREFIX`, default idsync. */
  queuePrefix: string;
  /** `LOG_LEVEL`, default info. */
  logLevel: string;
  /** `IDSYNC_ADMIN_TOKEN`: the system token for the admin API and bull-board. */
  adminToken: string | undefined;
  /** `IDSYNC_URL`: where CLI verbs find the running daemon. */
  daemonUrl: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

export function readSettings(env: Env = process.env): Settings {
  // Empty counts as unset, as for every variable here: Number('') is 0, a random port.
  const portText = env['PORT'] || '8080';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${portText}"`);
  const redisUrl = env['REDIS_URL'] || 'redis://127.0.0.1:6379';
  // A malformed cluster URL is refused here, before anything starts.
  parseRedisUrl(redisUrl);
  return {
    port,
    host: env['HOST'] || '127.0.0.1',
    redisUrl,
    databaseUrl: env['DATABASE_URL'] || undefined,
    dataDir: env['IDSYNC_DATA_DIR'] || './data',
    configFile: env['IDSYNC_CONFIG'] || 'config/default.yaml',
    queuePrefix: env['IDSYNC_QUEUE_PREFIX'] || 'idsync',
    logLevel: env['LOG_LEVEL'] || 'info',
    adminToken: env['IDSYNC_ADMIN_TOKEN'] || undefined,
    daemonUrl: env['IDSYNC_URL'] || `http://127.0.0.1:${port}`,
  };
}

/** `redis://:secret@host:6379` → `redis://:***@host:6379`, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
