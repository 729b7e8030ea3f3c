import type { RecordKind } from '../store/observed/source-records.js';
import type { RunContext } from './run-context.js';
import type { SeenEntries } from './seen-entries.js';

/** Live records per page of the scan for unseen ones. */
const SCAN_PAGE = 10_000;

/**
 * Stages the removal of the source's live records of `kind` (`live` of them) that a full run did
 * not see: users by external id, groups by record id.
 */
export async function stageUnseen(run: RunContext, seen: SeenEntries, kind: RecordKind, live: number): Promise<void> {
  // Every seen record counted in `seen.live` is a distinct live row: if they are all of them, none is left.
  if (seen.live[kind] >= live) return;
  for await (const rows of run.observed.liveKeys(kind, kind === 'user' ? 'external_id' : 'id', SCAN_PAGE)) {
    await run.staging.add(kind === 'user' ? 'remove-user' : 'remove-group', rows.filter((r) => !seen.has(kind, r.key)).map((r) => r.id));
  }
}
