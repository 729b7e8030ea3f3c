import type { Db, Queryable } from '../store/db.js';
import { grantState, logGrantChanges, type GrantState } from '../store/events/grant-log.js';
import type { GrantRow, GrantWithEmail } from '../store/granted/grants.js';
import { setGrantsStatus } from '../store/granted/membership-sweeps.js';

/** One kind of lifecycle transition over memberships. */
export interface MembershipSweep {
  /** The audit actor, e.g. `sweep:expiry`. */
  actor: string;
  cause: string;
  /** Audit action and outbox event type. */
  event: string;
  /** Selects and locks due grants (`store/granted/membership-sweeps.ts`), at most `batchSize`. */
  due(tx: Queryable, now: Date, batchSize: number): Promise<GrantWithEmail[]>;
  /** Writes the transition of the selected grants. */
  update(tx: Queryable, ids: string[], now: Date): Promise<unknown>;
  /** The grant after the transition, for the audit row and the event. */
  after(grant: GrantRow, now: Date): GrantState;
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
      const due = await sweep.due(tx, now, batchSize);
      if (due.length === 0) return 0;
      await sweep.update(tx, due.map((g) => g.id), now);
      await logGrantChanges(
        tx,
        due.map((g) => ({
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
      return due.length;
    });
    total += n;
    if (n < batchSize) return total;
  }
}

/** Sets the status of the given grants. */
export function setStatus(status: 'expired' | 'removed') {
  return (tx: Queryable, ids: string[]): Promise<unknown> => setGrantsStatus(tx, ids, status);
}
