/**
 * Limits failed bearer authentications per client address (design §5): more than `limit` failures
 * from one address within a window → 429 with `Retry-After` for further failures from it.
 *
 * Counted in Redis, so the limit holds across any number of `serve` processes: one fixed window per
 * address, opened by its first failure (an atomic INCR + PEXPIRE in a Lua script), under the queue
 * prefix. Only failures are counted, and a request that authenticates is never refused: an address
 * is not a client (NAT, an IdP's shared egress, a proxy when `trustProxy` is off), and one broken or
 * hostile client must not cut off a working IdP behind the same address. Generated tokens carry 256
 * random bits, so the answers a limited address still gets for a right guess do not make guessing
 * one feasible.
 *
 * When Redis does not answer, authentication goes on without the limit (fail open, with a warning
 * at most once a minute): the limit guards against floods of bad tokens, and losing it for a while
 * is better than refusing every IdP and admin while Redis is down.
 */
import type { IncomingMessage } from 'node:http';
import type { RedisConnection } from '../queue/redis.js';
import type { Logger } from 'pino';
import { clientAddress } from './client-address.js';

export interface AuthFailureLimiterOptions {
  /** A connection that fails fast while Redis is away (no offline queue). */
  redis: RedisConnection;
  /** Key prefix, normally the queue prefix, so deployments sharing a Redis (and tests) count apart. */
  prefix: string;
  /** `http.trustProxy`: take the address from `X-Forwarded-For` (see `clientAddress`). */
  trustProxy: boolean;
  logger: Logger;
  /** Failed attempts an address may make per window; the next one is refused. Default 10. */
  limit?: number;
  /** The window, from an address's first failure. Default 60 000 ms. */
  windowMs?: number;
  /** How long to wait for Redis before going on without the count. Default 500 ms. */
  timeoutMs?: number;
}

// KEYS[1] the address's counter, ARGV[1] the window in ms → {failures so far, ms left in the window}.
// A counter without a TTL (new, or one that somehow lost it) gets the window, so no key lives forever.
const COUNT_FAILURE = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

const WARN_EVERY_MS = 60_000;

export class AuthFailureLimiter {
  readonly #redis: RedisConnection;
  readonly #prefix: string;
  readonly #trustProxy: boolean;
  readonly #logger: Logger;
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #timeoutMs: number;
  #warnedAt = -Infinity;

  constructor(options: AuthFailureLimiterOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix;
    this.#trustProxy = options.trustProxy;
    this.#logger = options.logger;
    this.#limit = options.limit ?? 10;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 500;
  }

  /**
   * Counts a failed authentication from `req`'s address. Returns the seconds until the address may
   * try again when it is over the limit (answer 429 with `Retry-After`), else undefined (answer 401).
   */
  async recordFailure(req: IncomingMessage): Promise<number | undefined> {
    const key = `${this.#prefix}:auth-failures:${clientAddress(req, { trustProxy: this.#trustProxy })}`;
    let timer: NodeJS.Timeout | undefined;
    const counted = this.#redis.eval(COUNT_FAILURE, 1, key, this.#windowMs) as Promise<unknown>;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#timeoutMs);
    });
    try {
      const result = await Promise.race([counted, timedOut]);
      if (result === 'timeout') throw new Error(`no answer within ${this.#timeoutMs} ms`);
      const [failures, msLeft] = result as [number, number];
      return failures > this.#limit ? Math.max(1, Math.ceil(msLeft / 1000)) : undefined;
    } catch (error) {
      // The count may still fail after the timeout: the failure is the one warned about here, not a second one.
      counted.catch(() => {});
      this.#warn(error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  #warn(error: unknown): void {
    const now = Date.now();
    if (now - this.#warnedAt < WARN_EVERY_MS) return;
    this.#warnedAt = now;
    this.#logger.warn({ err: error }, 'authentication failures are not being counted (Redis unavailable): the limit is off until it answers');
  }
}
