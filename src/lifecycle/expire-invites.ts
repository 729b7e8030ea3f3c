import type { Db } from '../store/db.js';
import { insertAudit } from '../store/granted-log.js';

/** Pending invites past `expires_at` → `expired`, in batches. */
export async function expireInvites(db: Db, now: Date, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const r = await tx.query<{ id: string; workspace_id: string; email: string; role: string }>(
        `with due as (
           select id from invites where status = 'pending' and expires_at <= $1 order by expires_at, id limit $2 for update skip locked)
         update invites i set status = 'expired', updated_at = now() from due where i.id = due.id and i.status = 'pending'
         returning i.id, i.workspace_id, i.email, i.role`,
        [now, batchSize],
      );
      await insertAudit(
        tx,
        r.rows.map((i) => ({
          actor: 'sweep:invites', action: 'invite.expired', workspace_id: i.workspace_id,
          before: { id: i.id, email: i.email, role: i.role, status: 'pending' }, after: { id: i.id, email: i.email, role: i.role, status: 'expired' }, cause: 'invite not accepted in time',
        })),
      );
      return r.rows.length;
    });
    total += n;
    if (n < batchSize) return total;
  }
}
