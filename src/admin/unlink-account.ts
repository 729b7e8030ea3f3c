import { deactivateIfUnbacked, deleteLink, lockPeople } from '../store/people/correlation.js';
import { insertAudit } from '../store/events/audit-log.js';
import { parkChanges } from '../store/pending-changes.js';
import { actorName, type Actor } from './actor.js';
import { AdminError } from './admin-error.js';
import type { AdminContext } from './context.js';

/**
 * Ends a source account's link to a person (links are sticky: see docs/person-links.md). The account
 * is then correlated afresh by its address, as if first seen: to the person holding that address,
 * which is how an admin settles an e-mail conflict. Both the person and the account's address are
 * reconciled: the change is parked in the same transaction, so it survives a crash, and relayed at once.
 */
export async function unlinkAccount(ctx: AdminContext, actor: Actor, personId: string, sourceId: string, accountId: string): Promise<void> {
  if (actor.kind !== 'system') throw new AdminError('forbidden', 'unlinking an account needs the system token (IDSYNC_ADMIN_TOKEN)');
  await ctx.db.transaction(async (tx) => {
    const [person] = await lockPeople(tx, [personId]);
    if (!person) throw new AdminError('not_found', `person "${personId}" not found`);
    const unlinked = await deleteLink(tx, personId, sourceId, accountId);
    if (!unlinked) throw new AdminError('not_found', `account "${accountId}" of source "${sourceId}" is not linked to person "${personId}"`);
    await deactivateIfUnbacked(tx, personId);
    const cause = `${actorName(actor)}: account ${sourceId}/${accountId} unlinked`;
    await insertAudit(tx, [{
      actor: actorName(actor),
      action: 'person.account_unlinked',
      person_id: personId,
      workspace_id: null,
      before: { sourceId, accountId, email: unlinked.email },
      after: null,
      cause,
    }]);
    const keys = new Set([person.email, ...(unlinked.email ? [unlinked.email] : [])]);
    await parkChanges(tx, [...keys].map((key) => ({ key, sourceId, cause })));
  });
  await ctx.relayChanges?.();
}
