import type { Db } from '../store/db.js';
import { insertAudit } from '../store/events/audit-log.js';
import { expireDueInvites } from '../store/granted/invites.js';

/** Pending invites past `expires_at` → `expired`, in batches. */
export async function expireInvites(db: Db, now: Date, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const expired = await expireDueInvites(tx, now, batchSize);
      await insertAudit(
        tx,
        expired.map((i) => ({
          actor: 'sweep:invites', action: 'invite.expired', workspace_id: i.workspace_id,
          before: { id: i.id, email: i.email, role: i.role, status: 'pending' }, after: { id: i.id, email: i.email, role: i.role, status: 'expired' }, cause: 'invite not accepted in time',
        })),
      );
      return expired.length;
    });
    total += n;
    if (n < batchSize) return total;
  }
}
