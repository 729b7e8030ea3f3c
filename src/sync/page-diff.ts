import type { ConnectorPage } from '../connector/connector.js';
import { completeGroupPatches, completeUserPatches } from './complete-patches.js';
import { USER_BATCH } from './batch-sizes.js';
import { DeltaEntries } from './delta-entries.js';
import type { EntryDiff } from './entry-diff.js';
import type { RunContext } from './run-context.js';

/** How a run takes in the entries of its pages. */
export interface PageDiff {
  page(page: ConnectorPage): Promise<void>;
  /** Every page has been read. */
  end(): Promise<void>;
}

/** A full listing names each entry once: its pages are diffed as they come. */
export class ListingDiff implements PageDiff {
  constructor(
    private readonly run: RunContext,
    private readonly entries: EntryDiff,
  ) {}

  async page(page: ConnectorPage): Promise<void> {
    const { db, sourceId } = this.run;
    const entries = this.entries;
    if (page.users?.length) await entries.users(page.users);
    if (page.groups?.length) await entries.groups(page.groups);
    if (page.userPatches?.length) await entries.users(entries.completed(await completeUserPatches(db, sourceId, page.userPatches)));
    if (page.groupPatches?.length) await entries.groups(entries.completed(await completeGroupPatches(db, sourceId, page.groupPatches)));
    if (page.removedUsers?.length) await entries.removals('user', page.removedUsers);
    if (page.removedGroups?.length) await entries.removals('group', page.removedGroups);
  }

  async end(): Promise<void> {}
}

/**
 * A delta round may name an entry more than once, the latest occurrence being its current state:
 * its pages are taken into `DeltaEntries`, and each entry is diffed once, in its final state, when
 * the round has been read.
 */
export class DeltaRoundDiff implements PageDiff {
  readonly #round = new DeltaEntries();

  constructor(
    private readonly run: RunContext,
    private readonly entries: EntryDiff,
  ) {}

  /** Its records replace, merge onto or remove what the round read before them. */
  async page(page: ConnectorPage): Promise<void> {
    const { db, sourceId } = this.run;
    const round = this.#round;
    if (page.users?.length) round.addUsers(page.users);
    if (page.groups?.length) round.addGroups(page.groups);
    if (page.userPatches?.length) await round.mergeUserPatches(db, sourceId, page.userPatches);
    if (page.groupPatches?.length) await round.mergeGroupPatches(db, sourceId, page.groupPatches);
    if (page.removedUsers?.length) round.removeUsers(page.removedUsers);
    if (page.removedGroups?.length) round.removeGroups(page.removedGroups);
  }

  async end(): Promise<void> {
    const round = this.#round;
    // Partial records that nothing could complete are skipped, by reason, and logged by id.
    this.entries.skipped(round.unmerged());
    const users = round.users();
    for (let i = 0; i < users.length; i += USER_BATCH) await this.entries.users(users.slice(i, i + USER_BATCH));
    const groups = round.groups();
    for (let i = 0; i < groups.length; i += USER_BATCH) await this.entries.groups(groups.slice(i, i + USER_BATCH));
    await this.entries.removals('user', round.removedUsers());
    await this.entries.removals('group', round.removedGroups());
  }
}
