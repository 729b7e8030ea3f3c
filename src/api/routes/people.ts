import { Router } from 'express';
import { z } from 'zod';
import { visibleWorkspaces } from '../../admin/actor.js';
import type { AdminContext } from '../../admin/context.js';
import { unlinkAccount } from '../../admin/unlink-account.js';
import type { Principal } from '../../domain/principal.js';
import { linkedAccounts } from '../../store/people/correlation.js';
import type { Queryable } from '../../store/db.js';
import { liveGrantsOfPeople } from '../../store/granted/grants.js';
import { listPeople, recordActivity, type PersonRow } from '../../store/people/people.js';
import { isUuid } from '../../store/uuid-text.js';
import { principalOf } from '../auth.js';
import { parseBody } from '../body.js';
import { ApiError, badRequest, notFound } from '../errors.js';
import { decodeCursor, isTextKey, optionalString, page, parseLimit } from '../paging.js';

const activityBody = z.object({ at: z.string().optional() });

/** People a principal may see: all for the system; for a person, themselves and fellow members. */
async function findPeople(q: Queryable, principal: Principal, filter: { id?: string; email?: string; after?: string; limit: number }): Promise<PersonRow[]> {
  const workspaces = await visibleWorkspaces(q, principal);
  const self = principal.kind === 'person' ? principal.personId : null;
  return listPeople(q, { id: filter.id ?? null, email: filter.email?.toLowerCase() ?? null, after: filter.after ?? null, workspaces, self, limit: filter.limit });
}

async function withMemberships(q: Queryable, principal: Principal, people: PersonRow[]): Promise<Array<Record<string, unknown>>> {
  if (people.length === 0) return [];
  const workspaces = await visibleWorkspaces(q, principal);
  const accounts = await linkedAccounts(q, people.map((p) => p.id));
  const grants = await liveGrantsOfPeople(q, people.map((p) => p.id), workspaces);
  return people.map((p) => ({
    id: p.id,
    email: p.email,
    givenName: p.given_name,
    familyName: p.family_name,
    displayName: p.display_name,
    company: p.company,
    kind: p.kind,
    status: p.status,
    lastActiveAt: p.last_active_at,
    createdAt: p.created_at,
    // The address this person's accounts carry but another person holds (sticky links): nothing was merged.
    emailConflict: p.email_conflict,
    // The source accounts that back this person (sticky links), each unlinkable by the system token.
    accounts: accounts
      .filter((a) => a.person_id === p.id)
      .map((a) => ({ sourceId: a.source_id, accountId: a.id, userName: a.user_name, email: a.email, active: a.active, linkedAt: a.linked_at })),
    grants: grants
      .filter((g) => g.person_id === p.id)
      .map((g) => ({ workspace: g.workspace_id, origin: g.origin, role: g.role, status: g.status, validUntil: g.valid_until, sourceId: g.source_id, rule: g.rule })),
  }));
}

/**
 * `GET /people/{id}`, `GET /people?email=`, `DELETE /people/{id}/links/{sourceId}/{accountId}` (system
 * token: ends a sticky link) and `POST /people/{id}/activity` — the host application reports activity
 * (system token, or the person themselves), which the inactivity sweep reads.
 */
export function peopleRoutes(ctx: AdminContext): Router {
  const router = Router();

  router.get('/people', async (req, res) => {
    const principal = principalOf(req);
    const limit = parseLimit(req.query['limit']);
    const email = optionalString(req.query['email'], 'email');
    const rows = await findPeople(ctx.db, principal, { ...(email ? { email } : {}), ...(typeof req.query['cursor'] === 'string' ? { after: decodeCursor(req.query['cursor'], isTextKey) } : {}), limit: limit + 1 });
    const { items, next } = page(rows, limit, (p) => p.email);
    res.json({ people: await withMemberships(ctx.db, principal, items), next });
  });

  router.get('/people/:id', async (req, res) => {
    const id = req.params['id'] as string;
    if (!isUuid(id)) throw notFound(`person "${id}"`);
    const principal = principalOf(req);
    const [person] = await withMemberships(ctx.db, principal, await findPeople(ctx.db, principal, { id, limit: 1 }));
    if (!person) throw notFound(`person "${id}"`);
    res.json({ person });
  });

  router.delete('/people/:id/links/:sourceId/:accountId', async (req, res) => {
    const id = req.params['id'] as string;
    const accountId = req.params['accountId'] as string;
    if (!isUuid(id)) throw notFound(`person "${id}"`);
    if (!isUuid(accountId)) throw notFound(`account "${accountId}"`);
    await unlinkAccount(ctx, principalOf(req), id, req.params['sourceId'] as string, accountId);
    res.status(204).end();
  });

  router.post('/people/:id/activity', async (req, res) => {
    const id = req.params['id'] as string;
    if (!isUuid(id)) throw notFound(`person "${id}"`);
    const principal = principalOf(req);
    if (principal.kind === 'person' && principal.personId !== id) {
      throw new ApiError('forbidden', 'activity is reported by the host application (system token) or by the person themselves');
    }
    const body = parseBody(activityBody, req.body);
    const now = ctx.now();
    const at = body.at === undefined ? now : new Date(body.at);
    if (Number.isNaN(at.getTime())) throw badRequest('at must be an ISO-8601 timestamp');
    if (at.getTime() > now.getTime() + 60_000) throw badRequest('at must not be in the future');
    if (!(await recordActivity(ctx.db, id, at))) throw notFound(`person "${id}"`);
    res.status(204).end();
  });

  return router;
}

