/**
 * LDAP / Active Directory connector: full listings and deltas of users and groups, one
 * `ConnectorPage` per LDAP page.
 *
 * Memory: users stream through; what stays for the whole run is the `UserIndex` (normal-form DN
 * → externalId, uid → externalId, AD primary groups) that group members are resolved with, the
 * set of e-mails seen (for `duplicate-email`, dropped before groups are read) and the group
 * graph (each group's member DN keys — needed to flatten nested groups).
 */
import { escapeFilter } from 'ldapts';
import { attributeView, directoryAttributesOf } from '../../src/domain/source-attribute-views.js';
import type { Connector, ConnectorPage, DeltaOptions, ListOptions, SkippedEntry } from '../../src/connector/connector.js';
import { ConnectorError } from '../../src/connector/errors.js';
import { openSession, type LdapSession, type OpenSessionOptions, type SearchRequest } from './client.js';
import type { LdapSourceConfig } from './config.js';
import { configuredFilter } from './configured-filter.js';
import { changedSinceFilter, cursorAt, decodeCursor, encodeCursor, type LdapCursor, type ServerClock } from './cursor.js';
import { firstText, type LdapEntry } from './entry.js';
import { completeGroup, GroupGraph, UserIndex, type GroupNode } from './groups.js';
import { groupAttributes, mapGroupEntry, mapUserPage, toSourceGroup, userAttributes, type UserMapping } from './map.js';
import { presetFor, ruleAttributeOverrides, userAttributeMap, type LdapPreset } from './presets.js';
import type { ReadEntry } from './range.js';

export { ldapSourceConfig, type LdapSourceConfig } from './config.js';
export { SKIP_REASONS } from './map.js';

export interface LdapConnectorDeps {
  env: Readonly<Record<string, string | undefined>>;
  sourceId: string;
  /** Opens a bound session; defaults to ldapts (`client.ts`). A seam for directories we cannot run here (AD). */
  connect?: ((options: OpenSessionOptions) => Promise<LdapSession>) | undefined;
}

/**
 * RFC 2696 page size when `pageSize` is not configured. A quarter of AD's default MaxPageSize:
 * ldapts holds a whole page of decoded entries until its last one arrives, and the pages in flight
 * are most of what each young-generation collection copies; the extra round trips overlap with
 * the engine's work on the last page (bench:ldap's figures are in docs/benchmarks.md).
 */
const DEFAULT_PAGE_SIZE = 250;

/**
 * Groups per yielded page: a group carries its whole member list, so a page of a thousand large
 * groups would be held at once.
 */
const GROUPS_PER_PAGE = 100;

export function createLdapConnector(config: LdapSourceConfig, deps: LdapConnectorDeps): Connector {
  const { sourceId } = deps;
  const preset = presetFor(config.preset);
  const mapping = userMappingOf(config, preset);
  const pageSize = config.pageSize ?? DEFAULT_PAGE_SIZE;
  const { users, userFilter, groups, groupFilter } = searchRequests(config, preset, mapping);
  const open = new Set<LdapSession>();

  async function* session(options: ListOptions | undefined, body: (s: LdapSession, clock: ServerClock) => AsyncIterable<ConnectorPage>): AsyncGenerator<ConnectorPage> {
    const s = await (deps.connect ?? openSession)({ config, sourceId, password: bindPassword(config, deps.env, sourceId), pageSize, signal: options?.signal });
    open.add(s);
    try {
      // The cursor is taken before anything is read (see cursor.ts).
      const clock = await readClock(s);
      const cursor = encodeCursor(cursorAt(clock, preset.delta, Date.now()));
      yield* withCursorAtEnd(body(s, clock), cursor);
    } finally {
      open.delete(s);
      await s.close();
    }
  }

  const reader = (s: LdapSession): ReadEntry => (dn, attributes) => s.read(dn, attributes, preset.binaryAttributes);

  /** Users pages; fills `index` when given. */
  async function* userPages(s: LdapSession, request: SearchRequest, index: UserIndex | undefined): AsyncGenerator<ConnectorPage> {
    const seen = new Set<string>();
    for await (const entries of s.searchPages(request)) {
      const page = mapUserPage(entries, mapping, seen);
      if (index) {
        for (const r of page.records) index.add(r);
        for (const k of page.skippedDnKeys) index.exclude(k);
      }
      yield withSkipped({ users: page.records.map((r) => r.user) }, page.skipped);
    }
  }

  /** Resolves a batch of group entries against `graph` into one page. */
  async function groupPage(entries: readonly LdapEntry[], graph: GroupGraph, read: ReadEntry): Promise<ConnectorPage> {
    const skipped: SkippedEntry[] = [];
    const nodes: GroupNode[] = [];
    for (const entry of entries) {
      const mapped = mapGroupEntry(entry, preset);
      if (!mapped.ok) {
        skipped.push(mapped.skipped);
        continue;
      }
      const done = await completeGroup(mapped.record, read);
      skipped.push(...done.skipped);
      nodes.push(graph.add(done.node));
    }
    skipped.push(...(await graph.loadReachable(nodes)));
    return withSkipped({ groups: nodes.map((n) => toSourceGroup(n.record, graph.transitiveUserIds(n.record.dnKey))) }, skipped);
  }

  async function* fullPages(s: LdapSession): AsyncGenerator<ConnectorPage> {
    const index = new UserIndex();
    yield* userPages(s, users, index);
    if (!groups) return;
    const read = reader(s);
    const graph = new GroupGraph(preset, index, read, groups.attributes);
    for await (const entries of s.searchPages(groups)) {
      for (let i = 0; i < entries.length; i += GROUPS_PER_PAGE) yield await groupPage(entries.slice(i, i + GROUPS_PER_PAGE), graph, read);
    }
  }

  async function* deltaPages(s: LdapSession, since: string): AsyncGenerator<ConnectorPage> {
    yield* userPages(s, { ...users, filter: `(&${userFilter}${since})` }, undefined);
    if (!groups) return;
    const read = reader(s);
    const affected = await affectedGroups(s, groups, groupFilter, since, preset);
    if (affected.size === 0) return;
    // Members are resolved against the same user listing a full run would yield (same skips),
    // read with the user attributes but not yielded.
    const index = new UserIndex();
    for await (const _ of userPages(s, users, index));
    const graph = new GroupGraph(preset, index, read, groups.attributes);
    const all = [...affected.values()];
    for (let i = 0; i < all.length; i += GROUPS_PER_PAGE) yield await groupPage(all.slice(i, i + GROUPS_PER_PAGE), graph, read);
  }

  return {
    kind: 'ldap',
    // `mapUserPage` skips a repeated e-mail across the whole user listing.
    uniqueEmails: true,
    full(options?: ListOptions) {
      return session(options, (s) => fullPages(s));
    },
    async *delta(options: DeltaOptions) {
      // Checked before connecting: a cursor from another connector or version needs a full run.
      const cursor: LdapCursor = decodeCursor(options.cursor, sourceId);
      yield* session(options, (s, clock) => deltaPages(s, changedSinceFilter(cursor, clock, config.deltaOverlapMs)));
    },
    async close() {
      await Promise.all([...open].map((s) => s.close()));
      open.clear();
    },
  };
}

function userMappingOf(config: LdapSourceConfig, preset: LdapPreset): UserMapping {
  return {
    preset,
    fields: userAttributeMap(preset, config.attributes),
    ruleAttributes: directoryAttributesOf(attributeView('ldap', ruleAttributeOverrides(config.attributes))),
  };
}

/** The users and groups searches the config asks for (no groups search without `groups:`), and their filters. */
function searchRequests(config: LdapSourceConfig, preset: LdapPreset, mapping: UserMapping) {
  const userFilter = configuredFilter(config.users.filter ?? preset.defaultUserFilter);
  const users: SearchRequest = {
    base: config.users.baseDn,
    scope: config.users.scope,
    filter: userFilter,
    attributes: userAttributes(mapping),
    binaryAttributes: preset.binaryAttributes,
  };
  const groupFilter = configuredFilter(config.groups?.filter ?? preset.defaultGroupFilter);
  const groups: SearchRequest | undefined = config.groups && {
    base: config.groups.baseDn,
    scope: config.groups.scope,
    filter: groupFilter,
    attributes: groupAttributes(preset),
    binaryAttributes: preset.binaryAttributes,
  };
  return { users, userFilter, groups, groupFilter };
}

/** The bind password from the environment; none for an anonymous bind (no bindDn). */
function bindPassword(config: LdapSourceConfig, env: LdapConnectorDeps['env'], sourceId: string): string | undefined {
  if (config.bindDn === undefined) return undefined;
  const name = config.passwordEnv;
  const value = name === undefined ? undefined : env[name];
  if (value === undefined || value === '') {
    // An empty password would be an *unauthenticated* bind (RFC 4513 §5.1.2), which many
    // servers accept and then show nothing: refuse it here instead.
    throw new ConnectorError(
      'connector_config',
      name === undefined
        ? `ldap source "${sourceId}": bindDn is set but passwordEnv is not`
        : `ldap source "${sourceId}": environment variable ${name} (the bind password) is not set`,
      { sourceId },
    );
  }
  return value;
}

/** The server's clock (root DSE), which the next run's cursor is taken from. */
async function readClock(session: LdapSession): Promise<ServerClock> {
  try {
    const dse = await session.read('', ['currentTime', 'highestCommittedUSN', 'dsServiceName']);
    if (!dse) return {};
    return {
      currentTime: firstText(dse, ['currentTime']),
      highestCommittedUSN: firstText(dse, ['highestCommittedUSN']),
      dsServiceName: firstText(dse, ['dsServiceName']),
    };
  } catch (err) {
    // A root DSE hidden by ACLs only costs us the server's clock; idsync's is used instead.
    if (err instanceof ConnectorError && err.code === 'connector_upstream') return {};
    throw err;
  }
}

/**
 * Groups changed since the cursor, then every group that contains one of them (nested): their
 * transitive members changed although their own entries did not. Keyed by lower-cased DN.
 */
async function affectedGroups(s: LdapSession, groups: SearchRequest, groupFilter: string, since: string, preset: ReturnType<typeof presetFor>): Promise<Map<string, LdapEntry>> {
  const affected = new Map<string, LdapEntry>();
  const queue: string[] = [];
  const add = (entries: readonly LdapEntry[]) => {
    for (const e of entries) {
      if (affected.has(e.dn.toLowerCase())) continue;
      affected.set(e.dn.toLowerCase(), e);
      queue.push(e.dn);
    }
  };
  for await (const entries of s.searchPages({ ...groups, filter: `(&${groupFilter}${since})` })) add(entries);
  while (queue.length > 0) {
    const dn = queue.pop() as string;
    const memberOf = preset.group.memberDnAttributes.map((a) => escapeFilter`(${a}=${dn})`).join('');
    for await (const entries of s.searchPages({ ...groups, filter: `(&${groupFilter}(|${memberOf}))` })) add(entries);
  }
  return affected;
}

function withSkipped(page: ConnectorPage, skipped: SkippedEntry[]): ConnectorPage {
  return skipped.length > 0 ? { ...page, skipped } : page;
}

function isEmpty(page: ConnectorPage): boolean {
  return !page.users?.length && !page.groups?.length && !page.skipped?.length;
}

/**
 * Yields the non-empty pages of `pages`, then `cursor` on a last page of its own. (Holding each
 * page back until the next arrived, to put the cursor on the last one, kept one more page of
 * entries alive through every young-generation collection.)
 */
async function* withCursorAtEnd(pages: AsyncIterable<ConnectorPage>, cursor: string): AsyncGenerator<ConnectorPage> {
  for await (const page of pages) if (!isEmpty(page)) yield page;
  yield { cursor };
}
