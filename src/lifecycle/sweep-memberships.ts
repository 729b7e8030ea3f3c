import { grantState, logGrantChanges, type GrantRow } from '../admin/grants.js';
import type { Db, Queryable } from '../store/db.js';

/** One kind of lifecycle transition over memberships. */
export interface MembershipSweep {
  /** The audit actor, e.g. `sweep:expiry`. */
  actor: string;
  cause: string;
  /** Audit action and outbox event type. */
  event: string;
  /**
   * Selects due grants with `p.email`, locking them and their people `for update of m, p skip locked`:
   * concurrent sweeps never take the same row, and never wait for (or deadlock with) the reconciler.
   * `$1` is now, `$2` the batch size; further parameters come from `params`.
   */
  select: string;
  params: readonly unknown[];
  /** Writes the transition of the selected grants. */
  update(tx: Queryable, ids: string[], now: Date): Promise<unknown>;
  /** The grant after the transition, for the audit row and the event. */
  after(grant: GrantRow, now: Date): Record<string, unknown>;
}

/**
 * Runs a sweep in batches until nothing is due. Each batch is one transaction: the rows change with
 * their audit and outbox rows. A row is due only before its transition, so a re-run (or a second
 * sweeper) finds nothing left to do: no duplicate events.
 */
export async function sweepMemberships(db: Db, sweep: MembershipSweep, now: Date, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const due = await tx.query<GrantRow & { email: string }>(sweep.select, [now, batchSize, ...sweep.params]);
      if (due.rows.length === 0) return 0;
      await sweep.update(tx, due.rows.map((g) => g.id), now);
      await logGrantChanges(
        tx,
        due.rows.map((g) => ({
          actor: sweep.actor,
          cause: sweep.cause,
          action: sweep.event,
          person: { id: g.person_id, email: g.email },
          workspaceId: g.workspace_id,
          membershipId: g.id,
          before: grantState(g),
          after: sweep.after(g, now),
          event: sweep.event,
          extra: { previousStatus: g.status },
        })),
      );
      return due.rows.length;
    });
    total += n;
    if (n < batchSize) return total;
  }
}

/** The columns every sweep selects. */
export const GRANT_COLUMNS = 'm.id, m.person_id, m.workspace_id, m.origin, m.role, m.status, m.source_id, m.rule, m.valid_until, p.email';

/** Sets the status of the given grants. */
export function setStatus(status: 'expired' | 'removed') {
  return (tx: Queryable, ids: string[]): Promise<unknown> =>
    tx.query('update memberships set status = $2, version = version + 1, updated_at = now() where id = any($1::uuid[])', [ids, status]);
}
