import type { ChangePublisher, GroupRecord, PersonChange, UserRecord } from '../ingest/records.js';
import { BatchBuffer } from './batch-buffer.js';
import { GROUP_BATCH, USER_BATCH } from './batch-sizes.js';
import type { RunContext } from './run-context.js';
import type { RunStrategy } from './run-strategy.js';
import { withUserId, type UserContent } from './to-records.js';
import { writeUsers } from './write-users.js';
import { WriteWindow } from './write-window.js';

/** Writes of a direct run in flight while the directory is read further. */
const DIRECT_WRITES = 2;
/** People per publication of the users a direct run wrote. */
const PUBLISH_BATCH = 5000;

/**
 * A direct run publishes each person it wrote once, at its end, read back from observed state
 * (`publishWrittenUsers`), rather than once per write (a user is written, then written again as a
 * member of each of its groups) or from a change per person held in memory for the whole run.
 */
const PUBLISHED_AT_END: ChangePublisher = { publish: async () => {} };

/**
 * A first full run of an empty source: it can delete nothing, so nothing can block it, and it
 * writes users and groups as it reads them (no staging) while reconciliation starts on what it
 * wrote. It writes only new users (the run's seen entries keep their names and e-mails apart), so
 * its writes cannot wait on each other, and several run while the next pages are read.
 */
export class DirectRun implements RunStrategy {
  readonly direct = true;
  readonly #writes = new WriteWindow(DIRECT_WRITES);
  /** Users not yet handed to a write: written `USER_BATCH` at a time, whatever the page size. */
  readonly #users: BatchBuffer<UserRecord>;
  #groupsStarted = false;
  /** Its users are published once: before the apply step, or by `abandon` if it never got there. */
  #usersPublished = false;

  constructor(
    private readonly run: RunContext,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.#users = new BatchBuffer(USER_BATCH, (batch) => this.#writes.add(() => writeUsers(run, batch, PUBLISHED_AT_END)));
  }

  async acceptUsers(users: UserContent[]): Promise<void> {
    // The source had no live users when the run began, and only this run writes them.
    this.run.report.counts.created += users.length;
    await this.#users.add(users.map((u) => withUserId(this.run.sourceId, u)));
  }

  async acceptGroups(groups: GroupRecord[]): Promise<void> {
    if (groups.length === 0) return;
    if (!this.#groupsStarted) {
      // Group members name users: every user write must have committed before the first group's.
      this.#groupsStarted = true;
      await this.#users.flush();
      await this.#writes.drain();
    }
    const { ingest, sourceId, cause } = this.run;
    for (let i = 0; i < groups.length; i += GROUP_BATCH) {
      const batch = groups.slice(i, i + GROUP_BATCH);
      await this.#writes.add(async () => void (await ingest.writeGroups(sourceId, batch, { cause, changes: PUBLISHED_AT_END })));
    }
  }

  async endReading(): Promise<void> {
    await this.#users.flush();
    await this.#writes.drain();
  }

  async stageUnseenUsers(): Promise<void> {
    // It wrote every live user of the source itself.
  }

  async beforeApply(): Promise<void> {
    // The tables were empty of this source: without statistics of what it wrote, the next run's
    // comparisons would be planned as if it had written nothing (a scan per batch, not a lookup).
    // Reconciliation does not wait for them (its lookups are planned without statistics).
    // Both settle before a failure is handled, so that the failure path never publishes while
    // (or after) this publication runs.
    const [published, analysed] = await Promise.allSettled([this.#publishWrittenUsers(), this.run.observed.analyze()]);
    this.#usersPublished = published.status === 'fulfilled';
    if (published.status === 'rejected') throw published.reason;
    if (analysed.status === 'rejected') throw analysed.reason;
  }

  async afterApply(): Promise<void> {
    // Its statistics were refreshed before the apply step, whatever its size.
  }

  async abandon(): Promise<void> {
    // What a failed direct run read it still writes (unless it was stopped); and nothing of it may
    // still be writing once it is reported. Their errors are dropped: the run has failed already,
    // and the failure that ended it is the one reported.
    if (!this.signal?.aborted) await this.#users.flush().catch(() => {});
    await this.#writes.drain().catch(() => {});
    // What a failed direct run wrote stays observed: its people are reconciled all the same. (The
    // next run is not direct, and finds them unchanged.)
    if (!this.#usersPublished) {
      await this.#publishWrittenUsers().catch((e: unknown) =>
        this.run.logger?.warn({ source: this.run.sourceId, err: e }, 'could not publish the users a failed run wrote'),
      );
    }
  }

  /** Publishes every live user of the source: this run wrote each of them. */
  async #publishWrittenUsers(): Promise<void> {
    const { ingest, sourceId, cause, observed } = this.run;
    const created = `${cause} (user created)`;
    for await (const rows of observed.liveEmails(PUBLISH_BATCH)) {
      const changes: PersonChange[] = [];
      for (const r of rows) if (r.email !== null) changes.push({ key: r.email, sourceId, cause: created });
      await ingest.publish(changes);
    }
  }
}
