import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../store/db.js';
import { insertAudit } from '../../store/granted-log.js';
import { requireSystem } from '../auth.js';
import { parseBody } from '../body.js';
import { badRequest, notFound } from '../errors.js';
import { hashToken, newToken } from '../tokens.js';

const body = z.union([z.object({ person: z.string().min(3) }).strict(), z.object({ source: z.string().min(1) }).strict()]);

/**
 * `POST /tokens {"person": email}` or `{"source": id}` (system token only): a new bearer token, in
 * this response only; the database keeps its SHA-256 hash. A person token acts as that person under
 * the role matrix; a source token authenticates that source's SCIM requests.
 */
export function tokenRoutes(db: Db): Router {
  const router = Router();
  router.post('/tokens', async (req, res) => {
    requireSystem(req);
    const parsed = parseBody(body, req.body);
    const token = 'person' in parsed ? newToken('idsp') : newToken('idss');
    if ('person' in parsed) {
      const person = (await db.query<{ id: string; email: string }>('select id, lower(email) as email from people where lower(email) = lower($1)', [parsed.person])).rows[0];
      if (!person) throw notFound(`person "${parsed.person}"`);
      const row = (await db.query<{ id: string }>(`insert into api_tokens (token_hash, kind, person_id) values ($1, 'person', $2) returning id`, [hashToken(token), person.id])).rows[0];
      await insertAudit(db, [{ actor: 'system', action: 'token.created', person_id: person.id, workspace_id: null, before: null, after: { id: row?.id, kind: 'person' }, cause: 'created by hand' }]);
      res.status(201).json({ token, id: row?.id, kind: 'person', person: { id: person.id, email: person.email } });
      return;
    }
    if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(parsed.source)) throw badRequest('source must be a source id');
    const source = (await db.query<{ id: string }>('select id from sources where id = $1', [parsed.source])).rows[0];
    if (!source) throw notFound(`source "${parsed.source}"`);
    const row = (await db.query<{ id: string }>(`insert into api_tokens (token_hash, kind, source_id) values ($1, 'source', $2) returning id`, [hashToken(token), source.id])).rows[0];
    await insertAudit(db, [{ actor: 'system', action: 'token.created', person_id: null, workspace_id: null, before: null, after: { id: row?.id, kind: 'source', source: source.id }, cause: 'created by hand' }]);
    res.status(201).json({ token, id: row?.id, kind: 'source', source: source.id });
  });
  return router;
}
