/**
 * Which source a SCIM bearer token belongs to. Tokens come from the config (a `kind: scim` source's
 * `tokenEnv`, compared in constant time) and from `api_tokens` (made by `idsync tokens create
 * --source`, stored as SHA-256 hashes, looked up by hash); a source may hold several live ones, so
 * an IdP's token can be rotated without downtime. Revoked and expired tokens are refused.
 *
 * A found database token is remembered for `cacheMs` (2 s), never past its expiry, so that a busy
 * IdP does not cost a query per request. A revocation still takes effect at once in every serving
 * process: each hears of it through `revocations` (src/queue/token-revocations.ts) and calls `forget`.
 * Only what was found while that subscription was established, without a break since, is trusted:
 * while it is not (starting, Redis down, reconnecting) every request looks its token up, so a
 * revocation missed meanwhile is never honoured late. Tokens are never logged or kept in clear
 * beyond the config ones.
 */
import { timingSafeEqual } from 'node:crypto';
import { hashToken } from '../../domain/secret-tokens.js';
import type { Queryable } from '../../store/db.js';
import { liveSourceToken, touchToken } from '../../store/tokens/api-tokens.js';

export interface ConfiguredToken {
  sourceId: string;
  token: string;
}

/** Whether this process hears of revocations made by other processes (`TokenRevocations`). */
export interface RevocationWatch {
  /** A new value each time the subscription is established; undefined while it is not. */
  readonly session: number | undefined;
}

export interface SourceTokensOptions {
  db: Queryable;
  /** Tokens named by the config's `tokenEnv`, already read from the environment. */
  configured: readonly ConfiguredToken[];
  /** How long a database token stays trusted without a new lookup. Default 2000 ms. */
  cacheMs?: number;
  /** The clock expiry and last use are measured by. Default: the system clock. */
  now?: () => Date;
  /**
   * How revocations made elsewhere reach this process; the cache is used only while it listens.
   * Without one (a process serving alone, as in tests), revocations reach it only through `forget`.
   */
  revocations?: RevocationWatch;
}

/** The session of a process with no other to hear from: always listening. */
const ALONE: RevocationWatch = { session: 0 };

const MAX_CACHED = 1000;

export class SourceTokens {
  readonly #db: Queryable;
  /** The configured tokens as SHA-256 digests: a presented token is hashed once and compared with each. */
  readonly #configured: ReadonlyArray<{ sourceId: string; digest: Buffer }>;
  readonly #cacheMs: number;
  readonly #now: () => Date;
  readonly #revocations: RevocationWatch;
  /** Bumped by every `forget`, so that a lookup a revocation overtook is not cached. */
  #forgotten = 0;
  /** By token hash: the source, the token's id (for `forget`), the session it was found in and until when the entry holds. */
  readonly #cache = new Map<string, { sourceId: string; tokenId: string; session: number; until: number }>();

  constructor(options: SourceTokensOptions) {
    this.#db = options.db;
    this.#configured = options.configured.filter((t) => t.token !== '').map((t) => ({ sourceId: t.sourceId, digest: Buffer.from(hashToken(t.token), 'hex') }));
    this.#cacheMs = options.cacheMs ?? 2000;
    this.#now = options.now ?? (() => new Date());
    this.#revocations = options.revocations ?? ALONE;
  }

  /** The source id, or undefined when the token is nobody's (or no longer live). */
  async sourceOf(token: string): Promise<string | undefined> {
    const hash = hashToken(token);
    const digest = Buffer.from(hash, 'hex');
    // Every configured token is compared, so the time taken does not depend on which one matched.
    let matched: string | undefined;
    for (const configured of this.#configured) if (timingSafeEqual(digest, configured.digest) && matched === undefined) matched = configured.sourceId;
    if (matched !== undefined) return matched;

    const now = this.#now();
    const session = this.#revocations.session;
    const cached = this.#cache.get(hash);
    if (cached && cached.session === session && cached.until > now.getTime()) return cached.sourceId;
    if (cached) this.#cache.delete(hash);
    const forgotten = this.#forgotten;
    const found = await liveSourceToken(this.#db, hash, now);
    if (found === undefined) return undefined;
    await touchToken(this.#db, found, now);
    // Cached only if the subscription listened throughout the lookup and no revocation arrived
    // meanwhile (it may concern this token, read just before it was revoked).
    if (session !== undefined && this.#revocations.session === session && this.#forgotten === forgotten) {
      if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
      const until = Math.min(now.getTime() + this.#cacheMs, found.expiresAt?.getTime() ?? Infinity);
      this.#cache.set(hash, { sourceId: found.sourceId, tokenId: found.id, session, until });
    }
    return found.sourceId;
  }

  /** Drops a revoked token from the cache, so this process refuses it from the next request on. */
  forget(tokenId: string): void {
    this.#forgotten++;
    for (const [hash, entry] of this.#cache) if (entry.tokenId === tokenId) this.#cache.delete(hash);
  }
}
