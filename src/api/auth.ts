import type { Request, RequestHandler } from 'express';
import type { Db } from '../store/db.js';
import { ApiError } from './errors.js';
import { bearerToken, hashToken, safeEqual } from './tokens.js';

/** Who is asking: the system (IDSYNC_ADMIN_TOKEN, all rights) or a person acting under the role matrix. */
export type Principal = { kind: 'system' } | { kind: 'person'; personId: string; email: string };

export function principalOf(req: Request): Principal {
  const p = (req as Request & { principal?: Principal }).principal;
  if (!p) throw new ApiError(401, 'unauthenticated', 'missing bearer token');
  return p;
}

/** Accepts the system token, or a person token (stored hashed). */
export function adminAuth(options: { db: Db; adminToken: string | undefined }): RequestHandler {
  return async (req, _res, next) => {
    try {
      const token = bearerToken(req.headers.authorization);
      if (!token) throw new ApiError(401, 'unauthenticated', 'missing bearer token (Authorization: Bearer …)');
      if (options.adminToken && safeEqual(token, options.adminToken)) {
        (req as Request & { principal?: Principal }).principal = { kind: 'system' };
        return next();
      }
      const found = await options.db.query<{ person_id: string; email: string }>(
        `select t.person_id, p.email from api_tokens t join people p on p.id = t.person_id
          where t.token_hash = $1 and t.kind = 'person' and t.revoked_at is null`,
        [hashToken(token)],
      );
      const row = found.rows[0];
      if (!row) throw new ApiError(401, 'unauthenticated', 'invalid token');
      (req as Request & { principal?: Principal }).principal = { kind: 'person', personId: row.person_id, email: row.email };
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** Only the system token. */
export function requireSystem(req: Request): void {
  if (principalOf(req).kind !== 'system') throw new ApiError(403, 'forbidden', 'this action needs the system token (IDSYNC_ADMIN_TOKEN)');
}
