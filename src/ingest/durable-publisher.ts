import type { Db } from '../store/db.js';
import { dropParkedChanges, lockParkedChanges, parkChanges } from '../store/pending-changes.js';
import type { ChangePublisher, PersonChange } from './records.js';

/**
 * Wraps the queue publisher so that a change whose observed write has committed is never lost:
 * when the queue cannot take it (Redis down), it is parked in `pending_changes`, and `relay()`
 * publishes parked changes once the queue answers again.
 */
export class DurablePublisher implements ChangePublisher {
  readonly #db: Db;
  readonly #inner: ChangePublisher;
  readonly #onParked: ((count: number, error: unknown) => void) | undefined;

  constructor(options: { db: Db; inner: ChangePublisher; onParked?: (count: number, error: unknown) => void }) {
    this.#db = options.db;
    this.#inner = options.inner;
    this.#onParked = options.onParked;
  }

  async publish(changes: readonly PersonChange[]): Promise<void> {
    if (changes.length === 0) return;
    try {
      await this.#inner.publish(changes);
    } catch (error) {
      await parkChanges(this.#db, changes);
      this.#onParked?.(changes.length, error);
    }
  }

  /**
   * Publishes every parked change, `limit` at a time (one transaction each), until none is left or
   * the queue refuses; returns how many. A recovery may park a whole source's people at once.
   */
  async relayAll(limit = 5000): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.relay(limit);
      total += published;
      if (published < limit) return total;
    }
  }

  /** Publishes up to `limit` parked changes; returns how many. Safe to run in several processes at once. */
  async relay(limit = 5000): Promise<number> {
    return this.#db.transaction(async (tx) => {
      const parked = await lockParkedChanges(tx, limit);
      if (parked.length === 0) return 0;
      // Parked right after its observed write committed: the change-to-grant clock started then.
      await this.#inner.publish(parked.map((r) => ({ key: r.key, sourceId: r.source_id, cause: r.cause, observedAt: r.created_at.getTime() })));
      await dropParkedChanges(tx, parked.map((r) => r.key));
      return parked.length;
    });
  }
}
