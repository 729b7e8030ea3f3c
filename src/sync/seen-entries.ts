import { emailKey } from '../domain/email.js';
import type { SourceUser } from '../connector/connector.js';
import { addNew } from './add-new.js';
import type { RecordKind } from '../store/observed/source-records.js';

export type DuplicateReason = 'duplicate-entry' | 'duplicate-username' | 'duplicate-email';

/**
 * The entries a run has accepted: users by external id (and their names and e-mails, which no
 * two may share), groups by record id — what a full run keeps to find what it did not see.
 */
export class SeenEntries {
  readonly #users = new Set<string>();
  readonly #userNames = new Set<string>();
  readonly #emails = new Set<string>();
  readonly #groups = new Set<string>();
  /** Seen entries that were live in observed state: when they are all of them, nothing went unseen. */
  readonly live = { user: 0, group: 0 };

  /**
   * @param checkEmails false when the connector skips repeated e-mails itself (`uniqueEmails`),
   *   which spares the run a set of the whole directory's.
   */
  constructor(private readonly checkEmails: boolean) {}

  /** Accepts the user, or says why not: an earlier entry had its id, user name or e-mail. */
  admitUser(u: SourceUser): DuplicateReason | undefined {
    const name = u.userName.toLowerCase();
    // One insertion per set and user (these sets hold the whole directory); an entry skipped
    // for a later set takes back what it added to the earlier ones.
    if (!addNew(this.#users, u.externalId)) return 'duplicate-entry';
    if (!addNew(this.#userNames, name)) {
      this.#users.delete(u.externalId);
      return 'duplicate-username';
    }
    const key = this.checkEmails ? emailKey(u.email) : null;
    if (key && !addNew(this.#emails, key)) {
      this.#users.delete(u.externalId);
      this.#userNames.delete(name);
      return 'duplicate-email';
    }
    return undefined;
  }

  /** Accepts the group with this record id; false when it was seen already. */
  admitGroup(id: string): boolean {
    return addNew(this.#groups, id);
  }

  /** Whether the run accepted the entry: a user by external id, a group by record id. */
  has(kind: RecordKind, key: string): boolean {
    return kind === 'user' ? this.#users.has(key) : this.#groups.has(key);
  }
}
