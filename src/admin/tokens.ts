/**
 * Token administration: issue (system only; the secret is returned once, the store keeps its
 * SHA-256 hash), list (the system sees every token, a person their own) and revoke (the system any
 * token, a person their own), each change audited.
 */
import { hashToken, newToken } from '../domain/secret-tokens.js';
import { parseDuration } from '../domain/duration.js';
import { insertAudit } from '../store/events/audit-log.js';
import { insertPersonToken, insertSourceToken, listTokens, revokeToken, type TokenCursor, type TokenView } from '../store/tokens/api-tokens.js';
import { actorName, type Actor } from './actor.js';
import { AdminError } from './admin-error.js';
import type { AdminContext } from './context.js';

/** The longest `expiresIn`: ten years (of 365 days). Longer is a typo, or means "never", which is no `expiresIn`. */
const MAX_EXPIRES_IN_MS = 3650 * 86_400_000;

export type TokenSubject = { person: string } | { source: string };

export interface IssuedToken {
  /** The bearer token itself: shown once, stored only as a hash. */
  secret: string;
  view: TokenView;
  personId: string | null;
}

function requireSystem(actor: Actor): void {
  if (actor.kind !== 'system') throw new AdminError('forbidden', 'this action needs the system token (IDSYNC_ADMIN_TOKEN)');
}

/** When a token asked to live `expiresIn` (ISO-8601 duration) from now ends; null without one. */
function expiryOf(expiresIn: string | undefined, now: Date): Date | null {
  if (expiresIn === undefined) return null;
  const ms = parseDuration(expiresIn);
  if (ms === undefined || ms <= 0 || ms > MAX_EXPIRES_IN_MS) {
    throw new AdminError('invalid_request', 'expiresIn must be an ISO-8601 duration from PT1S to P10Y, such as P30D or PT12H');
  }
  return new Date(now.getTime() + ms);
}

/** A new token for a person (by e-mail) or a SCIM source. System only. */
export async function issueToken(ctx: AdminContext, actor: Actor, subject: TokenSubject, options: { expiresIn?: string | undefined } = {}): Promise<IssuedToken> {
  requireSystem(actor);
  const now = ctx.now();
  const expiresAt = expiryOf(options.expiresIn, now);
  const secret = 'person' in subject ? newToken('idsp') : newToken('idss');
  return ctx.db.transaction(async (tx) => {
    const result = 'person' in subject
      ? await insertPersonToken(tx, { hash: hashToken(secret), email: subject.person, createdAt: now, expiresAt })
      : await insertSourceToken(tx, { hash: hashToken(secret), sourceId: subject.source, createdAt: now, expiresAt });
    if (!result.issued) {
      if (result.reason === 'no_such_person') throw new AdminError('not_found', `person "${'person' in subject ? subject.person : ''}" not found`);
      if (result.reason === 'no_such_source') throw new AdminError('not_found', `source "${'source' in subject ? subject.source : ''}" not found`);
      throw new AdminError('invalid_request', `source "${'source' in subject ? subject.source : ''}" is not a SCIM source: only kind: scim sources authenticate with tokens`);
    }
    const { token } = result;
    await insertAudit(tx, [{
      actor: actorName(actor),
      action: 'token.created',
      person_id: result.personId,
      workspace_id: null,
      before: null,
      after: { id: token.id, kind: token.kind, subject: token.subject, expiresAt: token.expiresAt },
      cause: 'created by hand',
    }]);
    return { secret, view: token, personId: result.personId };
  });
}

/** A page of live (not revoked) tokens: every token for the system, a person's own for a person. */
export async function listTokensFor(ctx: AdminContext, actor: Actor, page: { after?: TokenCursor | undefined; limit: number }): Promise<Array<{ token: TokenView; cursor: TokenCursor }>> {
  return listTokens(ctx.db, { personId: actor.kind === 'person' ? actor.personId : undefined, after: page.after, limit: page.limit });
}

/**
 * Revokes a token: any token for the system, only their own for a person (someone else's is
 * `not_found`, as it is absent from their list). It stops working at once in every serving
 * process: `ctx.tokenRevoked` forgets it here and tells the others (src/queue/token-revocations.ts).
 */
export async function revokeTokenAs(ctx: AdminContext, actor: Actor, id: string): Promise<void> {
  const revoked = await ctx.db.transaction(async (tx) => {
    const token = await revokeToken(tx, id, { at: ctx.now(), personId: actor.kind === 'person' ? actor.personId : undefined });
    if (!token) throw new AdminError('not_found', `token "${id}" not found`);
    await insertAudit(tx, [{
      actor: actorName(actor),
      action: 'token.revoked',
      person_id: token.personId,
      workspace_id: null,
      before: { id: token.id, kind: token.kind, ...(token.sourceId !== null ? { source: token.sourceId } : {}) },
      after: null,
      cause: 'revoked by hand',
    }]);
    return token;
  });
  // Answered once the other processes have been told, so a client that sees the 204 can rely on it.
  await ctx.tokenRevoked?.(revoked.id);
}
