import type { KeyObject } from 'node:crypto';
import type { FakeCounters, FakeRequest, FakeResponse, FaultRule } from '../shared/http-fake.js';
import { decodeToken, encodeToken, startHttpFake } from '../shared/http-fake.js';
import { GraphDirectory, type GraphDatasetOptions, type GraphGroup, type GraphUser } from './directory.js';
import { AadTokenEndpoint } from './token-endpoint.js';

export { GraphDirectory, generatedUser, type GraphGroup, type GraphUser } from './directory.js';

export interface GraphFakeOptions extends GraphDatasetOptions {
  tenantId?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  certificate?: { publicKey: KeyObject; thumbprintSha256: string } | undefined;
  /** The host MSAL is configured with. Default https://login.microsoftonline.com. */
  authorityHost?: string | undefined;
  /**
   * Members per group object in `members@delta`: Graph spreads a large group's members over
   * several objects (and pages), which a client must merge. Default 40.
   */
  membersPerObject?: number | undefined;
  /**
   * Delta rounds send each write to a user since the token as an entry of its own, in the order
   * written: the user's id with the properties of that write, as they were written (a created user
   * whole). A user written twice then appears twice in one round — on different pages when other
   * changes lie between — as Graph may return an object more than once in a round, its latest
   * occurrence being its current state. Default false: one entry per user, with every selected
   * property written since.
   */
  entryPerWrite?: boolean | undefined;
  /** Page size when the client sends no `Prefer: odata.maxpagesize`. Default 100. */
  defaultPageSize?: number | undefined;
  tokenLifetimeSeconds?: number | undefined;
}

export interface GraphFake {
  /** Origin of the server: the token endpoint lives at `${url}/${tenantId}/oauth2/v2.0/token`. */
  url: string;
  /** `${url}/v1.0` — the connector's `graphUrl`. */
  graphUrl: string;
  tenantId: string;
  clientId: string;
  directory: GraphDirectory;
  counters: FakeCounters;
  inject(rule: FaultRule): void;
  clearFaults(): void;
  /** 429 TooManyRequests with `Retry-After: retryAfterSeconds` (default 1). */
  throttle(options?: { after?: number; times?: number; retryAfterSeconds?: number; status?: 429 | 503; path?: RegExp }): void;
  /** A Graph error answer (default 500), `times: Infinity` for a persistent failure. */
  fail(options?: { after?: number; times?: number; status?: number; path?: RegExp }): void;
  /** Invalidates every access token (the next API call answers 401). */
  revokeTokens(): void;
  /** Delta tokens issued before now answer 410 `syncStateNotFound`. */
  expireDeltaTokens(): void;
  close(): Promise<void>;
}

const USER_PROPERTIES = ['id', 'displayName', 'givenName', 'surname', 'mail', 'userPrincipalName', 'accountEnabled', 'companyName', 'jobTitle', 'department', 'employeeType', 'userType'] as const;

interface PageState {
  /** `i`: initial round; `d`: changes after `since`. */
  m: 'i' | 'd';
  since: number;
  /** Sequence when the round started: the next deltaLink's `since`. */
  snap: number;
  off: number;
  sel: string[];
}

/** A Microsoft Graph v1.0 + identity platform fake over a generated tenant. */
export async function startGraphFake(options: GraphFakeOptions = {}): Promise<GraphFake> {
  const tenantId = options.tenantId ?? '00000000-0000-0000-0000-0000000000aa';
  const clientId = options.clientId ?? '11111111-1111-1111-1111-1111111111bb';
  const directory = new GraphDirectory(options);
  const membersPerObject = options.membersPerObject ?? 40;
  const defaultPageSize = options.defaultPageSize ?? 100;
  const entryPerWrite = options.entryPerWrite ?? false;
  let deltaFloor = 0;
  let aad: AadTokenEndpoint | undefined;

  const http = await startHttpFake({
    isTokenRequest: (path) => path.endsWith('/oauth2/v2.0/token'),
    handle: async (request, base) => {
      const endpoint = aad as AadTokenEndpoint;
      const path = request.url.pathname;
      if (endpoint.handles(path)) return endpoint.handle(request);
      const auth = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
      if (!auth) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
      if (!endpoint.valid(auth[1] as string)) return graphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
      return route(request, base);
    },
  });

  aad = new AadTokenEndpoint({
    tenantId,
    clientId,
    clientSecret: options.clientSecret,
    certificate: options.certificate,
    authorityHost: (options.authorityHost ?? 'https://login.microsoftonline.com').replace(/\/+$/, ''),
    resource: http.url,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
  });

  function pageSize(request: FakeRequest): number {
    const m = /odata\.maxpagesize=(\d+)/.exec(String(request.headers['prefer'] ?? ''));
    return m ? Math.min(999, Math.max(1, Number(m[1]))) : defaultPageSize;
  }

  function route(request: FakeRequest, base: string): FakeResponse {
    const path = request.url.pathname;
    if (request.method !== 'GET') return graphError(405, 'Request_BadRequest', 'Method not allowed.');
    if (path === '/v1.0/users/delta') return delta(request, base, 'users');
    if (path === '/v1.0/groups/delta') return delta(request, base, 'groups');
    if (path === '/v1.0/groups') return listGroups(request);
    if (path === '/v1.0/users') return listUsers(request);
    const one = /^\/v1\.0\/groups\/([^/]+)$/.exec(path);
    if (one) {
      const group = directory.groups.get(decodeURIComponent(one[1] as string));
      if (!group) return graphError(404, 'Request_ResourceNotFound', `Resource '${one[1] ?? ''}' does not exist or one of its queried reference-property objects are not present.`);
      return { status: 200, body: { id: group.id, displayName: group.displayName } };
    }
    const transitive = /^\/v1\.0\/groups\/([^/]+)\/transitiveMembers(\/microsoft\.graph\.user)?$/.exec(path);
    if (transitive) return transitiveMembers(request, base, decodeURIComponent(transitive[1] as string), transitive[2] !== undefined);
    return graphError(400, 'BadRequest', `Resource not found for the segment '${path.split('/').pop() ?? ''}'.`);
  }

  function delta(request: FakeRequest, base: string, kind: 'users' | 'groups'): FakeResponse {
    const q = request.url.searchParams;
    let state: PageState;
    const skip = q.get('$skiptoken');
    const deltaToken = q.get('$deltatoken');
    if (skip !== null || deltaToken !== null) {
      const decoded = decodeToken((skip ?? deltaToken) as string) as PageState | { since: number; sel: string[] } | undefined;
      if (!decoded || typeof decoded.since !== 'number') return graphError(400, 'BadRequest', 'Invalid delta or skip token.');
      if (decoded.since < deltaFloor && !('m' in decoded && decoded.m === 'i')) {
        return graphError(410, 'syncStateNotFound', 'The delta token is expired or invalid; perform a full resync.');
      }
      state = 'm' in decoded ? decoded : { m: 'd', since: decoded.since, snap: directory.seq, off: 0, sel: decoded.sel };
    } else {
      const sel = (q.get('$select') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
      state = { m: 'i', since: 0, snap: directory.seq, off: 0, sel };
    }
    const size = pageSize(request);
    let page: unknown[];
    let total: number;
    if (kind === 'users' && state.m === 'i') {
      // The initial round projects only the page it serves: cheap enough for 50,000 users.
      const selected = state.sel.length === 0 ? [...USER_PROPERTIES] : state.sel;
      page = Array.from(directory.users.values()).slice(state.off, state.off + size).map((u) => projectUser(u, selected));
      total = directory.users.size;
    } else {
      const entries = kind === 'users' ? userEntries(state) : groupEntries(state);
      page = entries.slice(state.off, state.off + size);
      total = entries.length;
    }
    const body: Record<string, unknown> = { '@odata.context': `${base}/v1.0/$metadata#${kind}(${state.sel.join(',')})`, value: page };
    if (state.off + size < total) {
      body['@odata.nextLink'] = `${base}/v1.0/${kind}/delta?$skiptoken=${encodeToken({ ...state, off: state.off + size })}`;
    } else {
      body['@odata.deltaLink'] = `${base}/v1.0/${kind}/delta?$deltatoken=${encodeToken({ since: state.snap, sel: state.sel })}`;
    }
    return { status: 200, headers: { 'preference-applied': `odata.maxpagesize=${size}` }, body };
  }

  /**
   * A delta round sends a user created since the token whole, and any other user as its id with
   * only the selected properties written since (a user disabled: `{id, accountEnabled: false}`);
   * a user whose only changes are to properties not selected is not sent at all. With
   * `entryPerWrite`, each write goes as an entry of its own (`writtenEntries`).
   */
  function userEntries(state: PageState): unknown[] {
    const out: unknown[] = [];
    const selected = state.sel.length === 0 ? [...USER_PROPERTIES] : state.sel;
    if (state.m === 'd' && entryPerWrite) {
      out.push(...writtenEntries(state.since, selected));
    } else {
      for (const user of directory.users.values()) {
        const changed = state.m === 'i' ? 'created' : directory.userChangedSince(user.id, state.since);
        if (changed === 'created') out.push(projectUser(user, selected));
        else if (changed.some((p) => selected.includes(p))) out.push(projectUser(user, changed.filter((p) => selected.includes(p))));
      }
    }
    if (state.m === 'd') {
      for (const [id, seq] of directory.deletedUsers) {
        if (seq > state.since && !directory.users.has(id)) out.push({ '@odata.type': '#microsoft.graph.user', id, '@removed': { reason: 'changed' } });
      }
    }
    return out;
  }

  /** The writes to users (still there) after `since`, in order: each as the user's id with the selected properties it wrote, as written. */
  function writtenEntries(since: number, selected: readonly string[]): unknown[] {
    const out: unknown[] = [];
    for (const write of directory.userWrites) {
      if (write.seq <= since || !directory.users.has(write.id)) continue;
      const properties = write.created ? selected : Object.keys(write.values).filter((p) => selected.includes(p));
      if (properties.length > 0) out.push(projectUser({ ...write.values, id: write.id }, properties));
    }
    return out;
  }

  function groupEntries(state: PageState): unknown[] {
    const withMembers = state.sel.includes('members');
    const withName = state.sel.length === 0 || state.sel.includes('displayName');
    const out: unknown[] = [];
    const object = (group: GraphGroup, members: unknown[] | undefined) => {
      const entry: Record<string, unknown> = { '@odata.type': '#microsoft.graph.group', id: group.id };
      if (withName) entry['displayName'] = group.displayName;
      if (members !== undefined) entry['members@delta'] = members;
      return entry;
    };
    if (state.m === 'i') {
      for (const group of directory.groups.values()) {
        const members = [...group.members].map(([id, type]) => ({ '@odata.type': `#microsoft.graph.${type}`, id }));
        if (!withMembers) out.push(object(group, undefined));
        else if (members.length === 0) out.push(object(group, []));
        else for (let k = 0; k < members.length; k += membersPerObject) out.push(object(group, members.slice(k, k + membersPerObject)));
      }
      return out;
    }
    // A group created since the token goes whole; any other as its id with the selected
    // properties written since and, when its members changed, `members@delta` alone (a group
    // whose members changed is `{id, "members@delta": [...]}`, without its displayName).
    const changes = directory.memberChangesSince(state.since);
    const isSelected = (p: string) => state.sel.length === 0 || state.sel.includes(p);
    for (const group of directory.groups.values()) {
      const memberChanges = withMembers ? changes.get(group.id) : undefined;
      const members = [...(memberChanges ?? [])].map(([id, c]) =>
        c.op === 'add' ? { '@odata.type': `#microsoft.graph.${c.type}`, id } : { '@odata.type': `#microsoft.graph.${c.type}`, id, '@removed': { reason: 'deleted' } },
      );
      const changed = directory.groupChangedSince(group.id, state.since);
      if (changed === 'created') {
        out.push(object(group, withMembers ? members : undefined));
        continue;
      }
      const properties = changed.filter(isSelected);
      if (properties.length === 0 && !memberChanges) continue;
      const entry: Record<string, unknown> = { '@odata.type': '#microsoft.graph.group', id: group.id };
      for (const p of properties) entry[p] = group[p as 'displayName' | 'description'];
      if (memberChanges) entry['members@delta'] = members;
      out.push(entry);
    }
    for (const [id, seq] of directory.deletedGroups) {
      if (seq > state.since && !directory.groups.has(id)) out.push({ '@odata.type': '#microsoft.graph.group', id, '@removed': { reason: 'changed' } });
    }
    return out;
  }

  function listGroups(request: FakeRequest): FakeResponse {
    const filter = request.url.searchParams.get('$filter') ?? '';
    const m = /^displayName eq '((?:[^']|'')*)'$/.exec(filter);
    if (filter !== '' && !m) return graphError(400, 'Request_UnsupportedQuery', 'Unsupported query.');
    const name = m ? (m[1] as string).replace(/''/g, "'") : undefined;
    const value = [...directory.groups.values()]
      .filter((g) => name === undefined || g.displayName === name)
      .map((g) => ({ id: g.id, displayName: g.displayName }));
    return { status: 200, body: { value } };
  }

  /** `/users?$filter=id in ('…',…)&$select=…`, with Graph's limit of 15 values to an `in`. */
  function listUsers(request: FakeRequest): FakeResponse {
    const q = request.url.searchParams;
    const m = /^id in \(((?:'[^']*'\s*,?\s*)+)\)$/.exec(q.get('$filter') ?? '');
    if (!m) return graphError(400, 'Request_UnsupportedQuery', 'Unsupported query.');
    const ids = [...(m[1] as string).matchAll(/'([^']*)'/g)].map((v) => v[1] as string);
    if (ids.length > 15) return graphError(400, 'Request_UnsupportedQuery', `Too many child clauses specified in search filter expression containing 'OR' operators: ${ids.length}. Max allowed: 15.`);
    const sel = (q.get('$select') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    const selected = sel.length === 0 ? [...USER_PROPERTIES] : sel;
    const value = ids.flatMap((id) => {
      const user = directory.users.get(id);
      return user ? [projectUser(user, selected)] : [];
    });
    return { status: 200, body: { value } };
  }

  function transitiveMembers(request: FakeRequest, base: string, groupId: string, usersOnly: boolean): FakeResponse {
    if (!directory.groups.has(groupId)) {
      return graphError(404, 'Request_ResourceNotFound', `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`);
    }
    const q = request.url.searchParams;
    const top = Math.min(999, Number(q.get('$top') ?? 100));
    const off = Number(decodeToken(q.get('$skiptoken') ?? encodeToken(0)) ?? 0);
    const ids = [...directory.transitiveUserIds(groupId)];
    if (!usersOnly) for (const g of nestedGroupIds(groupId)) ids.push(g);
    const value = ids.slice(off, off + top).map((id) => ({ '@odata.type': directory.users.has(id) ? '#microsoft.graph.user' : '#microsoft.graph.group', id }));
    const body: Record<string, unknown> = { value };
    if (off + top < ids.length) {
      const next = new URL(request.url.pathname, base);
      next.searchParams.set('$top', String(top));
      next.searchParams.set('$skiptoken', encodeToken(off + top));
      body['@odata.nextLink'] = next.toString();
    }
    return { status: 200, body };
  }

  function nestedGroupIds(groupId: string): string[] {
    const seen = new Set<string>([groupId]);
    const queue = [groupId];
    const out: string[] = [];
    while (queue.length > 0) {
      for (const [id, type] of directory.groups.get(queue.shift() as string)?.members ?? []) {
        if (type === 'group' && !seen.has(id)) {
          seen.add(id);
          out.push(id);
          queue.push(id);
        }
      }
    }
    return out;
  }

  return {
    url: http.url,
    graphUrl: `${http.url}/v1.0`,
    tenantId,
    clientId,
    directory,
    counters: http.counters,
    inject: http.inject,
    clearFaults: http.clearFaults,
    throttle: (o = {}) =>
      http.inject({
        path: o.path,
        after: o.after,
        times: o.times,
        respond: () => ({
          ...graphError(o.status ?? 429, o.status === 503 ? 'serviceNotAvailable' : 'TooManyRequests', 'Too many requests.'),
          headers: { 'retry-after': String(o.retryAfterSeconds ?? 1) },
        }),
      }),
    fail: (o = {}) =>
      http.inject({ path: o.path, after: o.after, times: o.times, respond: () => graphError(o.status ?? 500, 'InternalServerError', 'Injected failure: the service is unavailable.') }),
    revokeTokens: () => aad?.tokens.clear(),
    expireDeltaTokens: () => {
      deltaFloor = directory.seq + 1;
    },
    close: http.close,
  };
}

function projectUser(user: Partial<GraphUser> & Pick<GraphUser, 'id'>, selected: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { id: user.id };
  for (const key of selected) if (key in user && key !== 'seq') out[key] = user[key as keyof GraphUser];
  return out;
}

/** Graph's error body, with the `innerError` block real answers carry. */
function graphError(status: number, code: string, message: string): FakeResponse {
  return {
    status,
    body: { error: { code, message, innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ''), 'request-id': crypto.randomUUID(), 'client-request-id': crypto.randomUUID() } } },
  };
}
