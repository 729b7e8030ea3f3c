/**
 * The connector seam. A connector knows its directory and nothing else: it yields normalised
 * records page by page. The sync engine owns diffing, batching, deletion safety and run records.
 */

export interface SourceEmail {
  value: string;
  type?: string | undefined;
  primary?: boolean | undefined;
}

/** A user as one directory sees it, normalised. */
export interface SourceUser {
  /** The directory's stable id (entryUUID, objectGUID, Graph object id, Okta id, Google id). */
  externalId: string;
  userName: string;
  /** Primary e-mail: the key that correlates people across sources. `null` when the entry has none. */
  email: string | null;
  emails?: SourceEmail[] | undefined;
  givenName?: string | null | undefined;
  familyName?: string | null | undefined;
  displayName?: string | null | undefined;
  company?: string | null | undefined;
  active: boolean;
  /** Further mapped attributes, kept verbatim in observed state (JSON values only). */
  attributes?: Record<string, unknown> | undefined;
}

/** A group as one directory sees it, normalised. */
export interface SourceGroup {
  externalId: string;
  displayName: string;
  /** Other names a rule may use for this group (an LDAP DN, a Google group e-mail). */
  aliases?: string[] | undefined;
  /**
   * The external ids of the users in the group, nested groups already resolved.
   * `undefined` in a delta page means "members unchanged" (see `ConnectorPage.memberChanges`).
   */
  memberExternalIds?: string[] | undefined;
}

/**
 * A partial user from a delta: Graph sends an updated object as its id "with at least the
 * properties that have been updated" (a disabled user is `{id, accountEnabled: false}`). Only the
 * fields the directory sent are set: `null` clears a field, an absent (`undefined`) one keeps the
 * observed value; `attributes` are merged key by key. The sync engine merges it onto the user's
 * observed state (`merge-patch.ts`). A connector sends `email` with the `emails` it derives from
 * it, or neither.
 */
export type SourceUserPatch = Pick<SourceUser, 'externalId'> & Partial<Omit<SourceUser, 'externalId'>>;

/** A partial group from a delta, merged onto the observed group the same way (e.g. no `displayName`). */
export type SourceGroupPatch = Pick<SourceGroup, 'externalId'> & Partial<Omit<SourceGroup, 'externalId'>>;

export interface MemberChange {
  groupExternalId: string;
  added: string[];
  removed: string[];
}

export interface SkippedEntry {
  externalId?: string | undefined;
  /** A short, stable reason such as `no-email` or `duplicate-email`, counted in the run. */
  reason: string;
  detail?: string | undefined;
}

/**
 * Something a run could not do that its operator must know about, though the run itself succeeds:
 * e.g. deletions it could not read, which wait for the next full run. Recorded on the run (its
 * result, `GET /sources/{id}/runs`, `idsync sync`) and logged, so nothing is missed silently.
 */
export interface ConnectorNotice {
  /** Short and stable, e.g. `deletions-deferred`: what callers and tests switch on. */
  code: string;
  /** One sentence for the operator: what waits, until when, and how to fix it. Never a secret. */
  message: string;
}

/** One page of a listing. Full listings fill `users` and `groups`; deltas may fill every field. */
export interface ConnectorPage {
  users?: SourceUser[] | undefined;
  groups?: SourceGroup[] | undefined;
  /** Delta only: users and groups the directory sent in part (see `SourceUserPatch`). */
  userPatches?: SourceUserPatch[] | undefined;
  groupPatches?: SourceGroupPatch[] | undefined;
  /** Delta only: external ids of users / groups deleted in the directory. */
  removedUsers?: string[] | undefined;
  removedGroups?: string[] | undefined;
  /** Delta only: incremental membership changes (Graph `members@delta`). */
  memberChanges?: MemberChange[] | undefined;
  skipped?: SkippedEntry[] | undefined;
  /** What this listing could not see (any page may carry some; the run keeps each once). */
  notices?: ConnectorNotice[] | undefined;
  /** Set on the last page: the opaque cursor the next delta starts from. */
  cursor?: string | undefined;
}

/** A wait the directory imposed (429 + Retry-After, Okta rate-limit headers, LDAP busy), reported so runs can record it. */
export interface ThrottleEvent {
  waitMs: number;
  /** e.g. `429 Retry-After`, `503`, `X-Rate-Limit-Remaining=0`, `ECONNRESET` */
  reason: string;
  attempt: number;
}

export interface ListOptions {
  signal?: AbortSignal | undefined;
  /** Called before each wait for a throttled or retried request. */
  onThrottle?: ((event: ThrottleEvent) => void) | undefined;
}

export interface DeltaOptions extends ListOptions {
  /** The cursor returned by the previous successful run. */
  cursor: string;
}

export interface Connector {
  readonly kind: string;
  /**
   * True when no user a listing yields has the e-mail (compared case-insensitively) of an earlier
   * one: the connector skips such entries itself, as `duplicate-email`, and the engine need not
   * check again. (The LDAP connector must, to keep a skipped entry out of its group members.)
   */
  readonly uniqueEmails?: boolean | undefined;
  /** Everything in scope, users first, then groups. The last page carries the cursor for the next delta. */
  full(options?: ListOptions): AsyncIterable<ConnectorPage>;
  /** What changed since `cursor`. Absent when the directory offers no delta. */
  delta?(options: DeltaOptions): AsyncIterable<ConnectorPage>;
  close?(): Promise<void>;
}
