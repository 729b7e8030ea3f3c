import { Router } from 'express';
import { z } from 'zod';
import type { AdminContext } from '../../admin/context.js';
import { issueToken, listTokensFor, revokeTokenAs } from '../../admin/tokens.js';
import type { TokenCursor } from '../../store/tokens/api-tokens.js';
import { isUuid } from '../../store/uuid-text.js';
import { principalOf } from '../auth.js';
import { parseBody } from '../body.js';
import { badRequest, notFound } from '../errors.js';
import { decodeCursor, page, parseLimit } from '../paging.js';

const expiresIn = z.string().max(64).optional();
const body = z.union([
  z.object({ person: z.string().min(3).max(320), expiresIn }).strict(),
  z.object({ source: z.string().min(1).max(63), expiresIn }).strict(),
]);
const MICROS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const isCursor = (v: unknown): v is TokenCursor => {
  const c = v as Partial<TokenCursor> | null;
  return typeof c === 'object' && c !== null && typeof c.createdAt === 'string' && MICROS_UTC.test(c.createdAt) && typeof c.id === 'string' && isUuid(c.id);
};

/**
 * Tokens. `POST /tokens {"person": email}` or `{"source": id}`, optional `"expiresIn"` (ISO-8601
 * duration; system token only): a new bearer token, in this response only; the database keeps its
 * SHA-256 hash. A person token acts as that person under the role matrix; a source token
 * authenticates that source's SCIM requests (alongside any other live one: rotation).
 * `GET /tokens` lists live tokens (the system all, a person their own), never a secret or hash;
 * revoked ones are left out. `DELETE /tokens/{id}` revokes one (a person only their own) → 204.
 */
export function tokenRoutes(ctx: AdminContext): Router {
  const router = Router();

  router.post('/tokens', async (req, res) => {
    const principal = principalOf(req);
    const parsed = parseBody(body, req.body);
    if ('source' in parsed && !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(parsed.source)) throw badRequest('source must be a source id');
    const subject = 'person' in parsed ? { person: parsed.person } : { source: parsed.source };
    const issued = await issueToken(ctx, principal, subject, { expiresIn: parsed.expiresIn });
    const { view } = issued;
    res.status(201).json({
      token: issued.secret,
      ...view,
      ...('person' in subject ? { person: { id: issued.personId, email: view.subject } } : { source: view.subject }),
    });
  });

  router.get('/tokens', async (req, res) => {
    const limit = parseLimit(req.query['limit']);
    const rows = await listTokensFor(ctx, principalOf(req), { after: decodeCursor(req.query['cursor'], isCursor), limit: limit + 1 });
    const { items, next } = page(rows, limit, (r) => r.cursor);
    res.json({ tokens: items.map((r) => r.token), next });
  });

  router.delete('/tokens/:id', async (req, res) => {
    const id = req.params['id'] as string;
    // Not a token id, so no token: 404 before the database is asked to cast it.
    if (!isUuid(id)) throw notFound(`token "${id.slice(0, 100)}"`);
    await revokeTokenAs(ctx, principalOf(req), id);
    res.status(204).end();
  });

  return router;
}
