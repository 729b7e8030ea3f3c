import type { SourceEmail } from '../connector/connector.js';

/** A user as ingest writes it into observed state. `id` is the SCIM id (a uuid) within the source. */
export interface UserRecord {
  id: string;
  externalId: string | null;
  userName: string;
  /** Primary e-mail as the source gave it; stored lower-cased as the correlation key. */
  email: string | null;
  emails: SourceEmail[];
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  company: string | null;
  active: boolean;
  attributes: Record<string, unknown>;
}

export interface GroupRecord {
  id: string;
  externalId: string | null;
  displayName: string;
  aliases: string[];
  attributes: Record<string, unknown>;
  /** Source user ids. `undefined` leaves the member list as it is. */
  memberIds?: string[] | undefined;
  /**
   * The hash stored with the member list, when the writer computed its own: a pulled group's is
   * taken over its members' external ids (`to-records.ts`), so a sync can check an unchanged
   * member list without deriving an id per member. Default `membersHash(memberIds)`.
   */
  membersHash?: string | undefined;
}

export type WriteStatus = 'created' | 'updated' | 'unchanged';

export interface WrittenRow {
  id: string;
  status: WriteStatus;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** One identity change: the person (by correlation key) whose access must be recomputed, and why. */
export interface PersonChange {
  key: string;
  sourceId: string;
  cause: string;
  /**
   * When the change was written to observed state (ms since the epoch), if earlier than its
   * publication: a change parked while the queue was down keeps its time. Default: when published.
   */
  observedAt?: number | undefined;
}

/** Where ingest sends the changes it made; the queue implements it. */
export interface ChangePublisher {
  publish(changes: readonly PersonChange[]): Promise<void>;
}
