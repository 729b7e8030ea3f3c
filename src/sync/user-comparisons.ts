import { userHash } from '../ingest/ingest.js';
import type { UserRecord } from '../ingest/records.js';
import { BatchBuffer } from './batch-buffer.js';
import { USER_BATCH } from './batch-sizes.js';
import type { SourceRecords } from '../store/observed/source-records.js';
import { withUserId, type UserContent } from './to-records.js';
import { WriteWindow } from './write-window.js';

/**
 * Comparisons with observed state in flight while the directory is read further: the database
 * compares one batch while the next pages are mapped and hashed, instead of the read waiting on it.
 */
const COMPARISONS = 2;

/** One batch compared with observed state. */
export interface Comparison {
  /** The new or changed users, in reading order. */
  changed: UserRecord[];
  /** How many of them observed state does not hold live. */
  created: number;
  /** How many users were compared. */
  compared: number;
}

/**
 * Compares users with observed state `USER_BATCH` at a time, up to `COMPARISONS` at once while the
 * caller reads on, and hands each result to `onCompared` in the order the users were read: each
 * waits for the one before it. A failed comparison fails the next `add` or the `drain`, and the
 * ones after it hand on nothing.
 */
export class UserComparisons {
  readonly #pending: BatchBuffer<UserContent>;
  readonly #window = new WriteWindow(COMPARISONS);
  /** The last comparison to hand on its result. */
  #last: Promise<void> = Promise.resolve();

  constructor(
    private readonly observed: SourceRecords,
    private readonly sourceId: string,
    private readonly onCompared: (comparison: Comparison) => Promise<void>,
  ) {
    this.#pending = new BatchBuffer(USER_BATCH, (batch) => this.#start(batch));
  }

  add(users: readonly UserContent[]): Promise<void> {
    return this.#pending.add(users);
  }

  /** Starts a comparison of the users not yet compared. */
  flush(): Promise<void> {
    return this.#pending.flush();
  }

  /** Waits for every comparison started; throws the first failure. */
  drain(): Promise<void> {
    return this.#window.drain();
  }

  async #start(batch: UserContent[]): Promise<void> {
    const hashes = batch.map(userHash);
    const before = this.#last;
    await this.#window.add(() => (this.#last = this.#compare(batch, hashes, before)));
  }

  async #compare(batch: UserContent[], hashes: string[], before: Promise<void>): Promise<void> {
    const differing = await this.observed.differingUsers(
      batch.map((u) => u.externalId),
      hashes,
    );
    // A failed comparison fails the run (through the window); the ones after it hand on nothing.
    await before;
    const changed: UserRecord[] = [];
    let created = 0;
    for (const row of differing) {
      if (!row.live) created++;
      changed.push(withUserId(this.sourceId, batch[row.i - 1] as UserContent));
    }
    await this.onCompared({ changed, created, compared: batch.length });
  }
}
