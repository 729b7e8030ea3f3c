import type { GroupRecord, UserRecord } from '../ingest/records.js';
import { APPLY_BATCH, GROUP_BATCH } from './batch-sizes.js';
import type { MemberChange } from '../connector/connector.js';
import { recordId } from './record-ids.js';
import type { RunContext } from './run-context.js';
import { writeUsers } from './write-users.js';

/**
 * Applies a judged run's staged diff through ingest, in an order that never trips uniqueness:
 * deletions first, then users, groups, members; then the member-list hashes found stale.
 */
export async function applyStaged(run: RunContext, staleMemberHashes: ReadonlyArray<readonly [string, string]>): Promise<void> {
  const { ingest, sourceId, cause, staging } = run;
  for await (const ids of staging.read<string>('remove-user', APPLY_BATCH)) await ingest.deleteUsers(sourceId, ids, { cause });
  for await (const users of staging.read<UserRecord>('user', APPLY_BATCH)) await writeUsers(run, users);
  for await (const groups of staging.read<GroupRecord>('group', GROUP_BATCH)) await ingest.writeGroups(sourceId, groups, { cause });
  for await (const changes of staging.read<MemberChange>('members', GROUP_BATCH)) {
    for (const change of changes) await changeMembers(run, change);
  }
  for await (const ids of staging.read<string>('remove-group', APPLY_BATCH)) await ingest.deleteGroups(sourceId, ids, { cause });
  await ingest.storeUnchangedMembersHashes(sourceId, staleMemberHashes);
}

async function changeMembers({ ingest, sourceId, cause }: RunContext, change: MemberChange): Promise<void> {
  const userId = (externalId: string) => recordId(sourceId, 'user', externalId);
  await ingest.changeGroupMembers(sourceId, recordId(sourceId, 'group', change.groupExternalId), { add: change.added.map(userId), remove: change.removed.map(userId) }, { cause });
}
