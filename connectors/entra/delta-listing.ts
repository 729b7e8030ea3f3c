import type { ConnectorPage, DeltaOptions, MemberChange, SkippedEntry, SourceGroup, SourceGroupPatch, SourceUser, SourceUserPatch } from '../../src/connector/connector.js';
import { ConnectorError } from '../../src/connector/errors.js';
import { decodeCursor, encodeCursor, nestingFromRecord, nestingToRecord } from './cursor.js';
import type { ListingContext } from './full-listing.js';
import { mapGroupEntry, mapUserChange } from './map.js';
import { ancestorsOf } from './nested-groups.js';
import { readUsers } from './read-users.js';
import { transitiveUserMembers } from './scope.js';

/**
 * What changed since the cursor: users and removals from the users deltaLink; group renames,
 * removals and `members@delta` (a member with `@removed` is a removal) from the groups deltaLink.
 * Graph sends an updated object by its id with only the properties that changed: such users go
 * out as `userPatches`, which the engine merges onto observed state (see `mapUserChange`).
 * Member changes of users go out as `memberChanges`. A change that involves nesting — a group
 * added to or removed from a group, or any change inside a group that other groups contain — is
 * answered with the full transitive member list of each group it reaches
 * (`/transitiveMembers`), since increments cannot express it: as a whole group when this round
 * named it, else as a patch that keeps the observed name.
 */
export function deltaListing(ctx: ListingContext, options: DeltaOptions): { pages: AsyncGenerator<ConnectorPage>; cursor: () => string | undefined } {
  let next: string | undefined;
  async function* pages(): AsyncGenerator<ConnectorPage> {
    const cursor = entraCursorOf(ctx, options.cursor);
    const usersLink = yield* userDeltaPages(ctx, cursor.users, options);
    const round: GroupRound = { nesting: nestingFromRecord(cursor.nested), names: new Map(), removed: new Set(), touched: new Set(), recompute: new Set() };
    const groupsLink = yield* groupDeltaPages(ctx, cursor.groups, options, round);
    if (usersLink === undefined || groupsLink === undefined) {
      throw new ConnectorError('connector_upstream', `source "${ctx.sourceId}": Microsoft Graph ended a delta round without a deltaLink`, { sourceId: ctx.sourceId });
    }
    yield* recomputedGroups(ctx, round, options);
    next = encodeCursor({ v: 1, users: usersLink, groups: groupsLink, nested: nestingToRecord(round.nesting) });
  }
  return { pages: pages(), cursor: () => next };
}

/** What the groups delta of one round saw, for the groups whose transitive members must be read again. */
interface GroupRound {
  /** Group → the groups it contains, as of the cursor, updated by this round. */
  nesting: Map<string, Set<string>>;
  /** Names this round sent. */
  names: Map<string, string>;
  removed: Set<string>;
  /** Groups this round changed or removed: their ancestors are recomputed. */
  touched: Set<string>;
  /** Groups whose nested members changed. */
  recompute: Set<string>;
}

function entraCursorOf(ctx: ListingContext, encoded: string): NonNullable<ReturnType<typeof decodeCursor>> {
  const cursor = decodeCursor(encoded);
  if (!cursor) {
    throw new ConnectorError('connector_config', `source "${ctx.sourceId}": the delta cursor is not an Entra cursor; run a full sync`, { sourceId: ctx.sourceId });
  }
  if (!ctx.graph.owns(cursor.users) || !ctx.graph.owns(cursor.groups)) {
    throw new ConnectorError('connector_config', `source "${ctx.sourceId}": the delta cursor belongs to another Graph endpoint; run a full sync`, {
      sourceId: ctx.sourceId,
    });
  }
  return cursor;
}

/** The users delta: whole users, patches of the properties that changed, removals. Returns the next deltaLink. */
async function* userDeltaPages(ctx: ListingContext, link: string, options: DeltaOptions): AsyncGenerator<ConnectorPage, string | undefined> {
  let usersLink: string | undefined;
  for await (const page of ctx.graph.pages(link, { ...options, pageSize: ctx.pageSize })) {
    const users: SourceUser[] = [];
    const userPatches: SourceUserPatch[] = [];
    const removedUsers: string[] = [];
    const skipped: SkippedEntry[] = [];
    const toRead: string[] = [];
    for (const raw of page.value) {
      const entry = mapUserChange(raw, ctx.extraUserProperties);
      if (entry.kind === 'user') users.push(entry.user);
      else if (entry.kind === 'patch') userPatches.push(entry.patch);
      else if (entry.kind === 'read') toRead.push(entry.id);
      else if (entry.kind === 'removed') removedUsers.push(entry.id);
      else skipped.push(entry.skipped);
    }
    if (toRead.length > 0) {
      const read = await readUsers(ctx, toRead, options);
      users.push(...read.users);
      skipped.push(...read.skipped);
    }
    usersLink = page.deltaLink ?? usersLink;
    yield { users, userPatches, removedUsers, skipped: skipped.length > 0 ? skipped : undefined };
  }
  return usersLink;
}

/** The groups delta: renames, removals and member changes of users; nesting changes are noted in `round`. Returns the next deltaLink. */
async function* groupDeltaPages(ctx: ListingContext, link: string, options: DeltaOptions, round: GroupRound): AsyncGenerator<ConnectorPage, string | undefined> {
  let groupsLink: string | undefined;
  for await (const page of ctx.graph.pages(link, { ...options, pageSize: ctx.pageSize })) {
    groupsLink = page.deltaLink ?? groupsLink;
    yield groupChangesOf(page.value, round);
  }
  return groupsLink;
}

function groupChangesOf(entries: readonly unknown[], { nesting, names, removed, touched, recompute }: GroupRound): ConnectorPage {
  const groups: SourceGroup[] = [];
  const removedGroups: string[] = [];
  const memberChanges: MemberChange[] = [];
  const skipped: SkippedEntry[] = [];
  for (const raw of entries) {
    const entry = mapGroupEntry(raw);
    if (entry.kind === 'skipped') {
      skipped.push(entry.skipped);
    } else if (entry.kind === 'removed') {
      removedGroups.push(entry.id);
      removed.add(entry.id);
      touched.add(entry.id);
    } else {
      if (entry.displayName !== undefined) {
        names.set(entry.id, entry.displayName);
        groups.push({ externalId: entry.id, displayName: entry.displayName });
      }
      const change: MemberChange = { groupExternalId: entry.id, added: [], removed: [] };
      for (const m of entry.members) {
        touched.add(entry.id);
        if (m.type === 'user') {
          (m.removed ? change.removed : change.added).push(m.id);
          continue;
        }
        recompute.add(entry.id);
        let children = nesting.get(entry.id);
        if (!children) nesting.set(entry.id, (children = new Set()));
        if (m.removed) children.delete(m.id);
        else children.add(m.id);
      }
      if (change.added.length > 0 || change.removed.length > 0) memberChanges.push(change);
    }
  }
  return { groups, removedGroups, memberChanges, skipped: skipped.length > 0 ? skipped : undefined };
}

/**
 * Every group a nesting change reaches, with its full transitive member list: as a whole group
 * when this round named it, else as a patch that keeps the observed name.
 */
async function* recomputedGroups(ctx: ListingContext, round: GroupRound, options: DeltaOptions): AsyncGenerator<ConnectorPage> {
  const { nesting, names, removed, touched, recompute } = round;
  for (const id of removed) {
    nesting.delete(id);
    for (const children of nesting.values()) children.delete(id);
  }
  for (const id of ancestorsOf(nesting, touched)) recompute.add(id);
  let groups: SourceGroup[] = [];
  let groupPatches: SourceGroupPatch[] = [];
  for (const id of recompute) {
    if (removed.has(id)) continue;
    const memberExternalIds = await transitiveUserMembers(ctx.graph, id, options);
    const displayName = names.get(id);
    if (displayName === undefined) groupPatches.push({ externalId: id, memberExternalIds });
    else groups.push({ externalId: id, displayName, memberExternalIds });
    if (groups.length + groupPatches.length >= ctx.groupPageSize) {
      yield { groups, groupPatches };
      groups = [];
      groupPatches = [];
    }
  }
  yield { groups, groupPatches };
}
