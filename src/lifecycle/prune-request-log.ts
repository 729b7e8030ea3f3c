import type { Db } from '../store/db.js';
import { deleteScimRequestsBefore } from '../store/events/provisioning-log.js';

/** Provisioning-log entries older than `retention.requestLog` are deleted, in batches. */
export async function pruneRequestLog(db: Db, now: Date, retentionMs: number, batchSize: number): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionMs);
  let total = 0;
  for (;;) {
    const n = await deleteScimRequestsBefore(db, cutoff, batchSize);
    total += n;
    if (n < batchSize) return total;
  }
}
