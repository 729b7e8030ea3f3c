import type { Queryable } from '../store/db.js';
import { touchSourceActivity } from '../store/runs/source-activity.js';

/**
 * Records when each pushed source last sent a request (`sources.last_activity_at`), for its health.
 * A write per request would cost a busy IdP's every request a statement: each source is written at
 * most once per `everyMs` (default 60 s) by this process, after the response, never in its way.
 */
export class SourceActivityRecorder {
  readonly #db: Queryable;
  readonly #everyMs: number;
  readonly #onError: ((error: unknown) => void) | undefined;
  /** When this process last wrote each source's activity (bounded by the configured sources). */
  readonly #written = new Map<string, number>();
  readonly #pending = new Set<Promise<void>>();

  constructor(options: { db: Queryable; everyMs?: number; onError?: (error: unknown) => void }) {
    this.#db = options.db;
    this.#everyMs = options.everyMs ?? 60_000;
    this.#onError = options.onError;
  }

  /** `sourceId` sent an authenticated request just now. */
  saw(sourceId: string): void {
    const now = Date.now();
    const last = this.#written.get(sourceId);
    if (last !== undefined && now - last < this.#everyMs) return;
    this.#written.set(sourceId, now);
    const write = touchSourceActivity(this.#db, sourceId, new Date(now)).catch((error: unknown) => {
      // Not written: the next request tries again.
      this.#written.delete(sourceId);
      this.#onError?.(error);
    });
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
  }

  /** Resolves once the writes already started have ended (shutdown, before the store closes). */
  async idle(): Promise<void> {
    await Promise.all([...this.#pending]);
  }
}
