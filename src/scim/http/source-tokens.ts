/**
 * Which source a SCIM bearer token belongs to. Tokens come from the config (a `kind: scim` source's
 * `tokenEnv`, compared in constant time) and from `api_tokens` (made by `idsync tokens create
 * --source`, stored as SHA-256 hashes, looked up by hash). A found database token is remembered for
 * `cacheMs` so that a busy IdP does not cost a query per request; revoking one takes effect within
 * that time. Tokens are never logged or kept in clear beyond the config ones.
 */
import { timingSafeEqual } from 'node:crypto';
import { hashToken } from '../../api/tokens.js';
import type { Queryable } from '../../store/db.js';

export interface ConfiguredToken {
  sourceId: string;
  token: string;
}

export interface SourceTokensOptions {
  db: Queryable;
  /** Tokens named by the config's `tokenEnv`, already read from the environment. */
  configured: readonly ConfiguredToken[];
  /** How long a database token stays trusted without a new lookup. Default 5000 ms. */
  cacheMs?: number;
  now?: () => number;
}

const MAX_CACHED = 1000;

export class SourceTokens {
  readonly #db: Queryable;
  /** The configured tokens as SHA-256 digests: a presented token is hashed once and compared with each. */
  readonly #configured: ReadonlyArray<{ sourceId: string; digest: Buffer }>;
  readonly #cacheMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, { sourceId: string; until: number }>();

  constructor(options: SourceTokensOptions) {
    this.#db = options.db;
    this.#configured = options.configured.filter((t) => t.token !== '').map((t) => ({ sourceId: t.sourceId, digest: Buffer.from(hashToken(t.token), 'hex') }));
    this.#cacheMs = options.cacheMs ?? 5000;
    this.#now = options.now ?? Date.now;
  }

  /** The source id, or undefined when the token is nobody's. */
  async sourceOf(token: string): Promise<string | undefined> {
    const hash = hashToken(token);
    const digest = Buffer.from(hash, 'hex');
    // Every configured token is compared, so the time taken does not depend on which one matched.
    let matched: string | undefined;
    for (const configured of this.#configured) if (timingSafeEqual(digest, configured.digest) && matched === undefined) matched = configured.sourceId;
    if (matched !== undefined) return matched;

    const cached = this.#cache.get(hash);
    if (cached && cached.until > this.#now()) return cached.sourceId;
    if (cached) this.#cache.delete(hash);
    const found = await this.#db.query<{ source_id: string }>(
      `select t.source_id from api_tokens t join sources s on s.id = t.source_id
        where t.token_hash = $1 and t.kind = 'source' and t.revoked_at is null and s.kind = 'scim'`,
      [hash],
    );
    const sourceId = found.rows[0]?.source_id;
    if (sourceId !== undefined) {
      if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
      this.#cache.set(hash, { sourceId, until: this.#now() + this.#cacheMs });
    }
    return sourceId;
  }
}
