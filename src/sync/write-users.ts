import { IngestConflictError } from '../ingest/errors.js';
import type { ChangePublisher, UserRecord } from '../ingest/records.js';
import type { RunContext } from './run-context.js';

/**
 * Writes a batch of users through ingest; if one record breaks a uniqueness rule, writes the rest
 * one by one and skips that one (counted as `conflict-<attribute>`, and not as created).
 */
export async function writeUsers(run: RunContext, users: readonly UserRecord[], changes?: ChangePublisher): Promise<void> {
  const { ingest, sourceId, cause, report } = run;
  try {
    await ingest.writeUsers(sourceId, users, { cause, changes });
  } catch (error) {
    if (!(error instanceof IngestConflictError)) throw error;
    for (const u of users) {
      try {
        await ingest.writeUsers(sourceId, [u], { cause, changes });
      } catch (inner) {
        if (!(inner instanceof IngestConflictError)) throw inner;
        report.skip({ externalId: u.externalId ?? undefined, reason: `conflict-${inner.attribute.toLowerCase()}`, detail: `another user of this source already has this ${inner.attribute}` });
        report.counts.created = Math.max(0, report.counts.created - 1);
      }
    }
  }
}
