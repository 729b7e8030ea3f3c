import { randomBytes, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';
import type { FakeCounters, FakeRequest, FakeResponse, FaultRule } from '../shared/http-fake.js';
import { parseForm, startHttpFake } from '../shared/http-fake.js';
import { OktaDirectory, type OktaDatasetOptions, type OktaGroup, type OktaLogEvent, type OktaUser } from './directory.js';

export { OktaDirectory, oktaId, type OktaGroup, type OktaLogEvent, type OktaStatus, type OktaUser } from './directory.js';

/** What an org admin's API token may do; an OAuth token has the scopes it was granted. */
const ALL_SCOPES = ['okta.users.read', 'okta.groups.read', 'okta.logs.read'];
const DAY_MS = 86_400_000;

export interface OktaFakeOptions extends OktaDatasetOptions {
  /** Accepted `SSWS` API token. */
  apiToken?: string | undefined;
  /** An OAuth service app: client assertions must verify with `publicKey`. */
  oauth?: { clientId: string; publicKey: KeyObject; scopes?: string[] | undefined } | undefined;
  /** Requests per window before 429; every answer carries the X-Rate-Limit-* headers. Default 10,000 per 60 s. */
  rateLimit?: { limit: number; windowSeconds: number } | undefined;
  /** The System Log's own bucket (Okta counts `/api/v1/logs` apart). Default 120 per 60 s. */
  logRateLimit?: { limit: number; windowSeconds: number } | undefined;
  /**
   * What the `SSWS` token may read: an API token acts with its admin's role, and one whose role may
   * not read the System Log gets 403 E0000006 there. Default: users, groups and logs.
   */
  apiTokenScopes?: string[] | undefined;
  /**
   * Which filtered user listings include DEPROVISIONED users. `when-named` (default, as Okta
   * documents it): only an expression that names `status eq "DEPROVISIONED"`; `when-filtered`: any
   * filter. Unfiltered listings never do.
   */
  listsDeprovisioned?: 'when-named' | 'when-filtered' | undefined;
}

export interface OktaFake {
  /** The org URL (issuer of the org authorization server). */
  url: string;
  directory: OktaDirectory;
  counters: FakeCounters;
  inject(rule: FaultRule): void;
  clearFaults(): void;
  /** 429 E0000047 with `X-Rate-Limit-Remaining: 0` and a reset `resetSeconds` ahead (default 1). */
  throttle(options?: { after?: number; times?: number; resetSeconds?: number; path?: RegExp }): void;
  /** An Okta error answer (default 500 E0000009); `times: Infinity` for a persistent failure. */
  fail(options?: { after?: number; times?: number; status?: number; path?: RegExp }): void;
  setRateLimit(limit: { limit: number; windowSeconds: number }): void;
  setLogRateLimit(limit: { limit: number; windowSeconds: number }): void;
  /** What the `SSWS` token may read from now on (`okta.users.read`, `okta.groups.read`, `okta.logs.read`). */
  setApiTokenScopes(scopes: string[]): void;
  revokeTokens(): void;
  close(): Promise<void>;
}

type Clause = { attr: string; op: string; value: string };
type Window = { start: number; used: number };

/**
 * An Okta org's Users and Groups APIs, its System Log and its org authorization server (client
 * credentials).
 */
export async function startOktaFake(options: OktaFakeOptions = {}): Promise<OktaFake> {
  const directory = new OktaDirectory(options);
  const tokens = new Map<string, { expires: number; scopes: Set<string> }>();
  let rate = options.rateLimit ?? { limit: 10_000, windowSeconds: 60 };
  let logRate = options.logRateLimit ?? { limit: 120, windowSeconds: 60 };
  let window: Window = { start: 0, used: 0 };
  let logWindow: Window = { start: 0, used: 0 };
  let apiTokenScopes = new Set(options.apiTokenScopes ?? ALL_SCOPES);
  const listsDeprovisioned = options.listsDeprovisioned ?? 'when-named';
  // Listings and user JSON are cached until the directory changes: 50,000 users stay cheap to page.
  let cachedVersion = -1;
  const listings = new Map<string, unknown[]>();
  const userJsonCache = new Map<string, unknown>();
  const cached = <T>(key: string, build: () => T[]): T[] => {
    if (cachedVersion !== directory.version) {
      listings.clear();
      userJsonCache.clear();
      cachedVersion = directory.version;
    }
    let list = listings.get(key);
    if (!list) listings.set(key, (list = build()));
    return list as T[];
  };
  const userJsonOf = (u: OktaUser, base: string): unknown => {
    let json = userJsonCache.get(u.id);
    if (json === undefined) userJsonCache.set(u.id, (json = userJson(u, base)));
    return json;
  };

  const http = await startHttpFake({
    isTokenRequest: (path) => path === '/oauth2/v1/token',
    handle: async (request, base) => {
      const path = request.url.pathname;
      if (path === '/.well-known/openid-configuration' || path === '/.well-known/oauth-authorization-server') {
        return { status: 200, body: { issuer: base, token_endpoint: `${base}/oauth2/v1/token`, token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic'] } };
      }
      if (path === '/oauth2/v1/token') return token(request, base);
      const limited = path === '/api/v1/logs' ? countRequest(logRate, logWindow, (w) => (logWindow = w)) : countRequest(rate, window, (w) => (window = w));
      if (limited.over) return { ...oktaError(429, 'E0000047', 'API call exceeded rate limit due to too many requests.'), headers: limited.headers };
      const response = authorize(request) ?? route(request, base);
      return { ...response, headers: { ...limited.headers, ...response.headers } };
    },
  });

  /** One request against a bucket's budget (`rate` per window, `current` replaced by `set` when a window starts). */
  function countRequest(rate: { limit: number; windowSeconds: number }, current: Window, set: (w: Window) => void): { over: boolean; headers: Record<string, string> } {
    const now = Date.now();
    const size = rate.windowSeconds * 1000;
    const start = Math.floor(now / size) * size;
    let window = current;
    if (start !== window.start) set((window = { start, used: 0 }));
    window.used++;
    const remaining = Math.max(0, rate.limit - window.used);
    return {
      over: window.used > rate.limit,
      headers: {
        'x-rate-limit-limit': String(rate.limit),
        'x-rate-limit-remaining': String(remaining),
        'x-rate-limit-reset': String(Math.ceil((start + size) / 1000)),
      },
    };
  }

  function authorize(request: FakeRequest): FakeResponse | undefined {
    const header = request.headers.authorization ?? '';
    const path = request.url.pathname;
    const needed = path === '/api/v1/logs' ? 'okta.logs.read' : path.startsWith('/api/v1/users') ? 'okta.users.read' : 'okta.groups.read';
    const ssws = /^SSWS (.+)$/.exec(header);
    if (ssws && options.apiToken !== undefined && same(ssws[1] as string, options.apiToken)) {
      return apiTokenScopes.has(needed) ? undefined : oktaError(403, 'E0000006', 'You do not have permission to perform the requested action');
    }
    const bearer = /^Bearer (.+)$/.exec(header);
    const granted = bearer ? tokens.get(bearer[1] as string) : undefined;
    if (!granted || granted.expires < Date.now()) return oktaError(401, 'E0000011', 'Invalid token provided');
    if (!granted.scopes.has(needed)) {
      // Okta names the missing scope in the challenge; the body is the usual E0000006.
      const challenge = `Bearer authorization_uri="${request.url.origin}/oauth2/v1/authorize", realm="IdpApi", scope="${needed}", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="${path}"`;
      return { ...oktaError(403, 'E0000006', 'You do not have permission to perform the requested action'), headers: { 'www-authenticate': challenge } };
    }
    return undefined;
  }

  async function token(request: FakeRequest, base: string): Promise<FakeResponse> {
    const form = parseForm(request.body);
    const oauth = options.oauth;
    if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', "The authorization grant type is not supported by the authorization server.");
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' || !oauth) {
      return oauthError(401, 'invalid_client', 'Client authentication failed. Either the client or the client credentials are invalid.');
    }
    const audience = `${base}/oauth2/v1/token`;
    try {
      const { payload } = await jwtVerify(form.get('client_assertion') ?? '', oauth.publicKey, { issuer: oauth.clientId, subject: oauth.clientId, clockTolerance: 60 });
      if (payload.aud !== audience && !(Array.isArray(payload.aud) && payload.aud.includes(audience))) {
        return oauthError(400, 'invalid_client', 'The audience claim for client_assertion must be the endpoint invoking the client_assertion.');
      }
      if (payload.jti === undefined) return oauthError(400, 'invalid_client', "The client_assertion token must contain a 'jti' claim.");
    } catch {
      return oauthError(401, 'invalid_client', 'The client_assertion signature is invalid.');
    }
    const asked = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
    const allowed = new Set(oauth.scopes ?? ['okta.users.read', 'okta.groups.read']);
    const refused = asked.filter((s) => !allowed.has(s));
    if (asked.length === 0 || refused.length > 0) return oauthError(400, 'invalid_scope', `The following scopes are not permitted for this client: ${refused.join(', ')}`);
    const accessToken = `fake-okta-${randomBytes(16).toString('hex')}`;
    tokens.set(accessToken, { expires: Date.now() + 3_600_000, scopes: new Set(asked) });
    return { status: 200, headers: { 'cache-control': 'no-store' }, body: { token_type: 'Bearer', expires_in: 3600, access_token: accessToken, scope: asked.join(' ') } };
  }

  function route(request: FakeRequest, base: string): FakeResponse {
    const path = request.url.pathname;
    const q = request.url.searchParams;
    if (request.method !== 'GET') return oktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
    const parsed = parseFilter(q.get('filter'));
    if (parsed === null) return oktaError(400, 'E0000031', 'Invalid search criteria.');
    if (path === '/api/v1/logs') return systemLog(request, base);
    if (path === '/api/v1/users') {
      // Okta lists every user but the deprovisioned ones, unless the expression asks for that status.
      const named = parsed.some((clauses) => clauses.some((c) => c.attr === 'status' && c.op === 'eq' && c.value === 'DEPROVISIONED'));
      const withDeprovisioned = named || (listsDeprovisioned === 'when-filtered' && parsed.length > 0);
      const users = cached(`users ${q.get('filter') ?? ''}`, () =>
        [...directory.users.values()].filter((u) => (withDeprovisioned || u.status !== 'DEPROVISIONED') && (parsed.length === 0 || matches(parsed, u))),
      );
      return page(request, base, users, (u) => userJsonOf(u, base), 200);
    }
    if (path === '/api/v1/groups') {
      const groups = cached(`groups ${q.get('filter') ?? ''}`, () => [...directory.groups.values()].filter((g) => parsed.length === 0 || matches(parsed, g)));
      return page(request, base, groups, (g) => groupJson(g, base), 10_000);
    }
    const members = /^\/api\/v1\/groups\/([^/]+)\/users$/.exec(path);
    if (members) {
      const group = directory.groups.get(decodeURIComponent(members[1] as string));
      if (!group) return oktaError(404, 'E0000007', `Not found: Resource not found: ${members[1] ?? ''} (UserGroup)`);
      const users = cached(`members ${group.id}`, () =>
        [...group.members].sort().map((id) => directory.users.get(id)).filter((u): u is OktaUser => u !== undefined),
      );
      return page(request, base, users, (u) => userJsonOf(u, base), 1000);
    }
    return oktaError(404, 'E0000007', `Not found: Resource not found: ${path}`);
  }

  /**
   * `GET /api/v1/logs`: events with `since` <= `published` < `until` (since defaults to 7 days
   * before until, until to now), filtered, oldest first, `limit` 100 by default (at most 1,000).
   * A bounded request (with `until`) ends where its `next` link does; a polling one (without)
   * always carries a `next` link, as Okta's does, for the events still to come.
   */
  function systemLog(request: FakeRequest, base: string): FakeResponse {
    const q = request.url.searchParams;
    const until = q.get('until');
    const untilMs = until === null ? Date.now() : Date.parse(until);
    const sinceMs = q.get('since') === null ? untilMs - 7 * DAY_MS : Date.parse(q.get('since') as string);
    if (Number.isNaN(untilMs) || Number.isNaN(sinceMs)) return oktaError(400, 'E0000001', 'Api validation failed: since/until must be ISO-8601 instants');
    if (sinceMs < Date.now() - 90 * DAY_MS) return oktaError(400, 'E0000001', 'Api validation failed: since is outside the retention period of 90 days');
    const filter = parseFilter(q.get('filter'));
    if (filter === null) return oktaError(400, 'E0000031', 'Invalid search criteria.');
    const limit = Math.min(1000, Math.max(1, Number(q.get('limit') ?? 100)));
    const events = directory.log.filter((e) => e.published >= sinceMs && e.published < untilMs && (filter.length === 0 || matches(filter, e)));
    if (q.get('sortOrder') === 'DESCENDING') events.reverse();
    const after = q.get('after');
    const start = after === null ? 0 : events.findIndex((e) => e.uuid === after) + 1;
    const slice = events.slice(start, start + limit);
    const self = new URL(request.url.pathname + request.url.search, base);
    const links = [`<${self.toString()}>; rel="self"`];
    if (until === null || start + limit < events.length) {
      const next = new URL(self);
      const last = slice.at(-1);
      if (last) next.searchParams.set('after', last.uuid);
      links.push(`<${next.toString()}>; rel="next"`);
    }
    return { status: 200, headers: { link: links.join(', ') }, body: slice.map(logEventJson) };
  }

  /** Cursor paging on ids (`after` = the last id seen) with a `Link: <…>; rel="next"` header. */
  function page<T extends { id: string }>(request: FakeRequest, base: string, items: T[], json: (item: T) => unknown, maxLimit: number): FakeResponse {
    const q = request.url.searchParams;
    const limit = Math.min(maxLimit, Math.max(1, Number(q.get('limit') ?? maxLimit)));
    const after = q.get('after');
    const start = after === null ? 0 : firstAfter(items, after);
    const slice = start < 0 ? [] : items.slice(start, start + limit);
    const self = new URL(request.url.pathname + request.url.search, base);
    const links = [`<${self.toString()}>; rel="self"`];
    if (start >= 0 && start + limit < items.length) {
      const next = new URL(self);
      next.searchParams.set('after', (slice.at(-1) as T).id);
      next.searchParams.set('limit', String(limit));
      links.push(`<${next.toString()}>; rel="next"`);
    }
    return { status: 200, headers: { link: links.join(', ') }, body: slice.map(json) };
  }

  return {
    url: http.url,
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
          ...oktaError(429, 'E0000047', 'API call exceeded rate limit due to too many requests.'),
          headers: {
            'x-rate-limit-limit': String(rate.limit),
            'x-rate-limit-remaining': '0',
            'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000) + (o.resetSeconds ?? 1)),
          },
        }),
      }),
    fail: (o = {}) =>
      http.inject({ path: o.path, after: o.after, times: o.times, respond: () => oktaError(o.status ?? 500, 'E0000009', 'Internal Server Error') }),
    setRateLimit: (limit) => {
      rate = limit;
      window = { start: 0, used: 0 };
    },
    setLogRateLimit: (limit) => {
      logRate = limit;
      logWindow = { start: 0, used: 0 };
    },
    setApiTokenScopes: (scopes) => {
      apiTokenScopes = new Set(scopes);
    },
    revokeTokens: () => tokens.clear(),
    close: http.close,
  };
}

/** Index of the first item whose id sorts after `after` (items are in id order), -1 when none. */
function firstAfter(items: readonly { id: string }[], after: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((items[mid] as { id: string }).id > after) hi = mid;
    else lo = mid + 1;
  }
  return lo < items.length ? lo : -1;
}

/** `lastUpdated gt "…" or lastMembershipUpdated gt "…"`: disjunctions of conjunctions. `null` when unreadable. */
function parseFilter(filter: string | null): Clause[][] | null {
  if (filter === null || filter.trim() === '') return [];
  const out: Clause[][] = [];
  for (const disjunct of filter.split(/\s+or\s+/)) {
    const clauses: Clause[] = [];
    for (const text of disjunct.split(/\s+and\s+/)) {
      const m = /^\(?\s*([\w.]+)\s+(eq|gt|ge|lt|le)\s+"([^"]*)"\s*\)?$/.exec(text.trim());
      if (!m) return null;
      clauses.push({ attr: m[1] as string, op: m[2] as string, value: m[3] as string });
    }
    out.push(clauses);
  }
  return out;
}

function matches(filter: Clause[][], item: OktaUser | OktaGroup | OktaLogEvent): boolean {
  return filter.some((clauses) =>
    clauses.every((c) => {
      // Dotted attributes (`outcome.result`, `profile.login`) walk into the object.
      let raw: unknown = item;
      for (const key of c.attr.split('.')) raw = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[key] : undefined;
      if (typeof raw === 'number') {
        const value = Date.parse(c.value);
        return c.op === 'gt' ? raw > value : c.op === 'ge' ? raw >= value : c.op === 'lt' ? raw < value : c.op === 'le' ? raw <= value : raw === value;
      }
      return c.op === 'eq' && raw === c.value;
    }),
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function userJson(u: OktaUser, base: string): unknown {
  return {
    id: u.id,
    status: u.status,
    created: iso(u.created),
    activated: u.status === 'STAGED' ? null : iso(u.created),
    statusChanged: iso(u.lastUpdated),
    lastLogin: null,
    lastUpdated: iso(u.lastUpdated),
    passwordChanged: iso(u.created),
    type: { id: 'oty1fakeusertype0000' },
    profile: { ...u.profile, secondEmail: null, mobilePhone: null },
    credentials: { provider: { type: 'OKTA', name: 'OKTA' } },
    _links: { self: { href: `${base}/api/v1/users/${u.id}` } },
  };
}

function logEventJson(e: OktaLogEvent): unknown {
  return {
    actor: { id: '00ufakeadmin00000000', type: 'User', alternateId: 'admin@example.com', displayName: 'Org Admin', detailEntry: null },
    client: { userAgent: { rawUserAgent: 'okta-fake', os: 'Unknown', browser: 'UNKNOWN' }, zone: 'null', device: 'Unknown', id: null, ipAddress: '127.0.0.1', geographicalContext: null },
    authenticationContext: { authenticationProvider: null, credentialProvider: null, credentialType: null, issuer: null, interface: null, authenticationStep: 0, externalSessionId: 'trsfake' },
    displayMessage: e.displayMessage,
    eventType: e.eventType,
    outcome: e.outcome,
    published: iso(e.published),
    securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
    severity: 'INFO',
    debugContext: { debugData: { requestUri: '/api/v1/users' } },
    legacyEventType: e.eventType === 'user.lifecycle.delete.initiated' ? 'core.user.config.user_deleted' : null,
    transaction: { type: 'WEB', id: 'fake-transaction', detail: {} },
    uuid: e.uuid,
    version: '0',
    request: { ipChain: [] },
    target: e.target.map((t) => ({ ...t, detailEntry: null })),
  };
}

function groupJson(g: OktaGroup, base: string): unknown {
  return {
    id: g.id,
    created: iso(g.created),
    lastUpdated: iso(g.lastUpdated),
    lastMembershipUpdated: iso(g.lastMembershipUpdated),
    objectClass: ['okta:user_group'],
    type: g.type,
    profile: g.profile,
    _links: { users: { href: `${base}/api/v1/groups/${g.id}/users` } },
  };
}

function oktaError(status: number, errorCode: string, errorSummary: string): FakeResponse {
  return { status, body: { errorCode, errorSummary, errorLink: errorCode, errorId: `oae${randomUUID().replace(/-/g, '').slice(0, 19)}`, errorCauses: [] } };
}

function oauthError(status: number, error: string, description: string): FakeResponse {
  return { status, body: { error, error_description: description } };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
