import type { Connector } from '../../../src/connector/connector.js';

/**
 * What a directory offers, stated per connector so that the suite asserts what each one does
 * instead of skipping a case (as bullmq's suite runs every case against every backend).
 */
export interface ConnectorCapabilities {
  /**
   * `cursor`: `delta()` lists what changed since the cursor the last page of a listing carries.
   * `none`: the directory offers no delta; `delta` is absent and no listing carries a cursor.
   */
  delta: 'cursor' | 'none';
  /**
   * How a deleted user leaves: `delta` — the delta names it in `removedUsers`; `full-listing` —
   * only by its absence from the next full listing (the engine's unseen scan).
   */
  removal: 'delta' | 'full-listing';
  /**
   * How a delta sends a changed user: `partial` — as a `userPatches` entry with only what was
   * written (Graph); `whole` — as a whole record in `users`. (Moot without a delta.)
   */
  changedUser: 'partial' | 'whole';
  /**
   * What the connector does when the directory throttles in the middle of a listing: `waits` —
   * it waits as told (reported through `onThrottle`) and completes; `fails-retryable` — it ends
   * the listing with `connector_retryable`, and the next run reads again.
   */
  throttle: 'waits' | 'fails-retryable';
  /** Whether the directory can disable an account while keeping it (`active: false`). */
  disable: boolean;
}

/** What a full listing must yield now, by primary e-mail (lower-cased) and group display name. */
export interface ExpectedDirectory {
  users: Map<string, { active: boolean }>;
  /** Group display name → e-mails of its users, nested groups resolved. */
  groups: Map<string, Set<string>>;
}

/**
 * One directory, small, behind its fake (or a private slapd), and the operations the suite drives
 * it with. Users are named by their primary e-mail, groups by their display name.
 */
export interface ConnectorFixture {
  /** A new connector on the directory, listing in small pages so that every listing has several. */
  connector(): Connector;
  expected(): ExpectedDirectory;
  /** Three generated users (to change, to disable, to remove) and a group to add a member to. */
  sample: { users: [string, string, string]; group: string };
  /** Creates a user (e-mail `${handle}@example.com`) and returns its e-mail. */
  addUser(handle: string): Promise<string>;
  setFamilyName(email: string, familyName: string): Promise<void>;
  /** Only with `capabilities.disable`. */
  disable(email: string): Promise<void>;
  addMember(group: string, email: string): Promise<void>;
  /** Deletes the user, as an administrator would in that directory. */
  removeUser(email: string): Promise<void>;
  /** Waits until a change made now falls after a cursor taken before it (directories that stamp changes coarsely). */
  settle(): Promise<void>;
  /** The next listing is throttled a few requests in, once. */
  throttleMidListing(): void;
  /** The next listing fails for good after its first page has been read. */
  failMidListing(): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

export interface ConnectorHarness {
  kind: 'ldap' | 'entra' | 'okta' | 'google';
  /** Where the directory comes from, for the suite's titles. */
  backend: string;
  capabilities: ConnectorCapabilities;
  start(): Promise<ConnectorFixture>;
}
