import { createHash, createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { RedisConnection } from '../queue/redis.js';

/** Who a console session acts as: the system (an operator, or the admin token) or a person. */
const sessionIdentity = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('system'), email: z.string().nullable(), via: z.enum(['oidc', 'token']) }),
  z.object({
    kind: z.literal('person'),
    personId: z.string(),
    email: z.string(),
    via: z.enum(['oidc', 'token']),
    /** For a session opened with a person token: its hash, so revoking the token ends the session. */
    tokenHash: z.string().optional(),
  }),
]);
export type SessionIdentity = z.infer<typeof sessionIdentity>;

const storedSession = z.object({
  identity: sessionIdentity,
  /** Sent back by the page in `X-CSRF-Token` on every state-changing request. */
  csrfToken: z.string(),
  createdAt: z.number(),
});
export type ConsoleSession = z.infer<typeof storedSession>;

export interface SessionStoreOptions {
  redis: RedisConnection;
  /** Key prefix (the queue prefix), so that deployments sharing a Redis keep apart. */
  prefix: string;
  /** Keys session ids in Redis (HMAC); without it they are hashed with SHA-256. */
  secret: string | undefined;
  /** A session unused for this long ends. Default 30 minutes. */
  idleMs?: number;
  /** A session ends this long after sign-in, however busy. Default 12 hours. */
  absoluteMs?: number;
  now?: () => number;
}

const DEFAULT_IDLE_MS = 30 * 60_000;
const DEFAULT_ABSOLUTE_MS = 12 * 3600_000;

/**
 * Console sessions, kept in Redis so that every `serve` process shares them. The browser holds only
 * a random id (256 bits); Redis holds its keyed hash, so a copy of Redis opens no session. Idle expiry
 * is the key's TTL, renewed on each use; absolute expiry is checked against the sign-in time.
 */
export class SessionStore {
  private readonly idleMs: number;
  private readonly absoluteMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SessionStoreOptions) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.absoluteMs = options.absoluteMs ?? DEFAULT_ABSOLUTE_MS;
    this.now = options.now ?? Date.now;
  }

  async create(identity: SessionIdentity): Promise<{ id: string; session: ConsoleSession }> {
    const id = randomBytes(32).toString('base64url');
    const session: ConsoleSession = { identity, csrfToken: randomBytes(32).toString('base64url'), createdAt: this.now() };
    await this.options.redis.set(this.key(id), JSON.stringify(session), 'PX', Math.min(this.idleMs, this.absoluteMs));
    return { id, session };
  }

  /** The live session with this id, its idle timer renewed; undefined when unknown or expired. */
  async use(id: string): Promise<ConsoleSession | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const key = this.key(id);
    const raw = await this.options.redis.get(key);
    if (raw === null) return undefined;
    const parsed = storedSession.safeParse(JSON.parse(raw));
    const remaining = parsed.success ? parsed.data.createdAt + this.absoluteMs - this.now() : 0;
    if (!parsed.success || remaining <= 0) {
      await this.options.redis.del(key);
      return undefined;
    }
    await this.options.redis.pexpire(key, Math.min(this.idleMs, remaining));
    return parsed.data;
  }

  async destroy(id: string): Promise<void> {
    await this.options.redis.del(this.key(id));
  }

  /** A short-lived record (the OIDC state, nonce and PKCE verifier between login and callback). */
  async putFlow(id: string, value: unknown, ttlMs: number): Promise<void> {
    await this.options.redis.set(this.key(id, 'flow'), JSON.stringify(value), 'PX', ttlMs);
  }

  /** Takes the record (once: a callback cannot be replayed). */
  async takeFlow(id: string): Promise<unknown> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const raw = await this.options.redis.getdel(this.key(id, 'flow'));
    return raw === null ? undefined : (JSON.parse(raw) as unknown);
  }

  private key(id: string, kind: 'session' | 'flow' = 'session'): string {
    const digest = this.options.secret ? createHmac('sha256', this.options.secret).update(id).digest('hex') : createHash('sha256').update(id).digest('hex');
    return `${this.options.prefix}:console:${kind}:${digest}`;
  }
}
