/**
 * Bearer tokens (`api_tokens`): SCIM tokens of a source and admin-API tokens of a person. Only the
 * SHA-256 hash of a token is stored, and nothing here ever returns it. A token is live while it is
 * neither revoked nor past its `expires_at`; a source may hold several live tokens (rotation).
 */
import type { Queryable } from '../db.js';

export type TokenKind = 'source' | 'person';

/** A token as `GET /api/v1/tokens` shows it: who it is for and when, never the secret or its hash. */
export interface TokenView {
  id: string;
  kind: TokenKind;
  /** The source id of a source token, the person's e-mail for a person token. */
  subject: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

/** `lastUsedAt` is written when the stored value is older than this, so a busy token costs no write per request. */
const TOUCH_EVERY_MS = 60_000;

type TokenRow = { id: string; kind: TokenKind; subject: string; created_at: Date; last_used_at: Date | null; expires_at: Date | null };

function toView(r: TokenRow): TokenView {
  return {
    id: r.id,
    kind: r.kind,
    subject: r.subject,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at ? r.last_used_at.toISOString() : null,
    expiresAt: r.expires_at ? r.expires_at.toISOString() : null,
  };
}

export type IssueResult =
  | { issued: true; token: TokenView; personId: string | null }
  | { issued: false; reason: 'no_such_person' | 'no_such_source' | 'not_a_scim_source' };

/** Stores a person token's hash for the person with `email` (case-insensitive), if there is one. */
export async function insertPersonToken(q: Queryable, input: { hash: string; email: string; createdAt: Date; expiresAt: Date | null }): Promise<IssueResult> {
  const r = await q.query<TokenRow & { person_id: string }>(
    `with p as (select id, email from people where lower(email) = lower($2)),
          ins as (insert into api_tokens (token_hash, kind, person_id, created_at, expires_at)
                  select $1, 'person', id, $3, $4 from p
                  returning id, person_id, created_at, last_used_at, expires_at)
     select ins.id, 'person' as kind, lower(p.email) as subject, ins.person_id, ins.created_at, ins.last_used_at, ins.expires_at
       from p join ins on ins.person_id = p.id`,
    [input.hash, input.email, input.createdAt, input.expiresAt],
  );
  const row = r.rows[0];
  return row ? { issued: true, token: toView(row), personId: row.person_id } : { issued: false, reason: 'no_such_person' };
}

/**
 * Stores a source token's hash. Only a `kind: scim` source takes tokens: the SCIM server is the only
 * place a source authenticates, and it accepts no other kind.
 */
export async function insertSourceToken(q: Queryable, input: { hash: string; sourceId: string; createdAt: Date; expiresAt: Date | null }): Promise<IssueResult> {
  const r = await q.query<{ source_kind: string; id: string | null; created_at: Date | null; last_used_at: Date | null; expires_at: Date | null }>(
    `with s as (select id, kind from sources where id = $2),
          ins as (insert into api_tokens (token_hash, kind, source_id, created_at, expires_at)
                  select $1, 'source', id, $3, $4 from s where kind = 'scim'
                  returning id, created_at, last_used_at, expires_at)
     select s.kind as source_kind, ins.id, ins.created_at, ins.last_used_at, ins.expires_at
       from s left join ins on true`,
    [input.hash, input.sourceId, input.createdAt, input.expiresAt],
  );
  const row = r.rows[0];
  if (!row) return { issued: false, reason: 'no_such_source' };
  if (row.id === null || row.created_at === null) return { issued: false, reason: 'not_a_scim_source' };
  return {
    issued: true,
    personId: null,
    token: toView({ id: row.id, kind: 'source', subject: input.sourceId, created_at: row.created_at, last_used_at: row.last_used_at, expires_at: row.expires_at }),
  };
}

/** Where a page of tokens starts: after the token with this creation time (microseconds, UTC) and id. */
export interface TokenCursor {
  createdAt: string;
  id: string;
}

/**
 * Tokens not revoked (expired ones included, so an operator sees why an IdP's token stopped working),
 * oldest first; only `personId`'s own when given. Returns up to `limit` rows, each with its cursor.
 */
export async function listTokens(q: Queryable, options: { personId?: string | undefined; after?: TokenCursor | undefined; limit: number }): Promise<Array<{ token: TokenView; cursor: TokenCursor }>> {
  const r = await q.query<TokenRow & { created_key: string }>(
    `select t.id, t.kind, coalesce(t.source_id, lower(p.email)) as subject, t.created_at, t.last_used_at, t.expires_at,
            -- the cursor keeps the microseconds a JavaScript Date would drop, so no row is seen twice
            to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_key
       from api_tokens t left join people p on p.id = t.person_id
      where t.revoked_at is null
        and ($1::uuid is null or (t.kind = 'person' and t.person_id = $1))
        and ($2::timestamptz is null or (t.created_at, t.id) > ($2::timestamptz, $3::uuid))
      order by t.created_at, t.id
      limit $4`,
    [options.personId ?? null, options.after?.createdAt ?? null, options.after?.id ?? null, options.limit],
  );
  return r.rows.map((row) => ({ token: toView(row), cursor: { createdAt: row.created_key, id: row.id } }));
}

export interface RevokedToken {
  id: string;
  kind: TokenKind;
  sourceId: string | null;
  personId: string | null;
}

/**
 * Revokes a live token (only `personId`'s own when given) at `at`. Undefined when there is no such
 * token, it is someone else's, or it was revoked already: revocation cannot be undone, so a second
 * one has nothing to do.
 */
export async function revokeToken(q: Queryable, id: string, options: { at: Date; personId?: string | undefined }): Promise<RevokedToken | undefined> {
  const r = await q.query<{ id: string; kind: TokenKind; source_id: string | null; person_id: string | null }>(
    `update api_tokens set revoked_at = $2
      where id = $1 and revoked_at is null and ($3::uuid is null or (kind = 'person' and person_id = $3))
      returning id, kind, source_id, person_id`,
    [id, options.at, options.personId ?? null],
  );
  const row = r.rows[0];
  return row ? { id: row.id, kind: row.kind, sourceId: row.source_id, personId: row.person_id } : undefined;
}

/** A live token found by its hash, with what `touchToken` needs. */
export interface LiveToken {
  id: string;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

/** The live person token with this hash, and its person. */
export async function livePersonToken(q: Queryable, hash: string, now: Date): Promise<(LiveToken & { personId: string; email: string }) | undefined> {
  const r = await q.query<{ id: string; person_id: string; email: string; last_used_at: Date | null; expires_at: Date | null }>(
    `select t.id, t.person_id, p.email, t.last_used_at, t.expires_at
       from api_tokens t join people p on p.id = t.person_id
      where t.token_hash = $1 and t.kind = 'person' and t.revoked_at is null and (t.expires_at is null or t.expires_at > $2)`,
    [hash, now],
  );
  const row = r.rows[0];
  return row ? { id: row.id, personId: row.person_id, email: row.email, lastUsedAt: row.last_used_at, expiresAt: row.expires_at } : undefined;
}

/** The live token with this hash of a `kind: scim` source, and its source. */
export async function liveSourceToken(q: Queryable, hash: string, now: Date): Promise<(LiveToken & { sourceId: string }) | undefined> {
  const r = await q.query<{ id: string; source_id: string; last_used_at: Date | null; expires_at: Date | null }>(
    `select t.id, t.source_id, t.last_used_at, t.expires_at
       from api_tokens t join sources s on s.id = t.source_id
      where t.token_hash = $1 and t.kind = 'source' and t.revoked_at is null and s.kind = 'scim'
        and (t.expires_at is null or t.expires_at > $2)`,
    [hash, now],
  );
  const row = r.rows[0];
  return row ? { id: row.id, sourceId: row.source_id, lastUsedAt: row.last_used_at, expiresAt: row.expires_at } : undefined;
}

/**
 * Records that `token` was used at `now`, unless its stored `lastUsedAt` is less than
 * `TOUCH_EVERY_MS` old: then nothing is written (and no query is sent).
 */
export async function touchToken(q: Queryable, token: LiveToken, now: Date): Promise<void> {
  if (token.lastUsedAt !== null && now.getTime() - token.lastUsedAt.getTime() < TOUCH_EVERY_MS) return;
  // The condition keeps a process with a lagging clock from moving the time back.
  await q.query('update api_tokens set last_used_at = $2 where id = $1 and (last_used_at is null or last_used_at < $2)', [token.id, now]);
}
