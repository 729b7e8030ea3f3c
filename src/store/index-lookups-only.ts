import type { Queryable } from './db.js';

/**
 * Makes the rest of the caller's transaction read by index only. For transactions whose every read
 * looks a batch of rows up by key, where an index lookup is always the right plan: statistics lag
 * behind tables that a sync grows from nothing, and the planner then takes them for empty and scans
 * them whole, once per batch — quadratic in the size of the sync.
 */
export async function useIndexLookupsOnly(tx: Queryable): Promise<void> {
  await tx.query('set local enable_seqscan = off');
}
