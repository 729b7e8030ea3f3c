import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';
import type { FakeCounters, FakeRequest, FakeResponse, FaultRule } from '../shared/http-fake.js';
import { decodeToken, encodeToken, parseForm, startHttpFake } from '../shared/http-fake.js';
import { GoogleDirectory, type GoogleDatasetOptions, type GoogleGroup, type GoogleUser } from './directory.js';

export { GoogleDirectory, googleGroupId, googleUserId, type GoogleGroup, type GoogleUser } from './directory.js';

export const DIRECTORY_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.member.readonly',
];

export interface GoogleFakeOptions extends GoogleDatasetOptions {
  /** The admin the service account may impersonate. Default admin@example.com. */
  adminSubject?: string | undefined;
  /** The service account's key pair; generated when absent. */
  keyPair?: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
  clientEmail?: string | undefined;
  /**
   * The per-user query quota: past `limit` in a window, every request is answered 403
   * `userRateLimitExceeded` without a Retry-After until the next window. Default Google's
   * 2,400 queries per minute per user.
   */
  rateLimit?: { limit: number; windowSeconds: number } | undefined;
}

export type GoogleThrottleReason = 'rateLimitExceeded' | 'userRateLimitExceeded' | 'quotaExceeded';

export interface GoogleFake {
  /** Origin: the connector's `directoryUrl`; the token endpoint is `${url}/token`. */
  url: string;
  directory: GoogleDirectory;
  counters: FakeCounters;
  /** The service-account key file (JSON text) whose `token_uri` points at this fake. */
  serviceAccountKey(overrides?: Record<string, unknown>): string;
  inject(rule: FaultRule): void;
  clearFaults(): void;
  /**
   * A throttle as Google sends it, never with a Retry-After: 403 with `reason` (default
   * `rateLimitExceeded`), or with `status: 429` the `RESOURCE_EXHAUSTED` answer.
   */
  throttle(options?: { after?: number; times?: number; reason?: GoogleThrottleReason; status?: 403 | 429; path?: RegExp }): void;
  /** 403 `forbidden`: the impersonated admin lacks the privilege (not a throttle). */
  forbid(options?: { after?: number; times?: number; path?: RegExp }): void;
  /** A Directory API error (default 500 backendError); `times: Infinity` for a persistent failure. */
  fail(options?: { after?: number; times?: number; status?: number; path?: RegExp }): void;
  revokeTokens(): void;
  close(): Promise<void>;
}

/** Google's OAuth token endpoint (JWT bearer grant) and the Admin SDK Directory API. */
export async function startGoogleFake(options: GoogleFakeOptions = {}): Promise<GoogleFake> {
  const directory = new GoogleDirectory(options);
  const adminSubject = options.adminSubject ?? `admin@${directory.domain}`;
  const keyPair = options.keyPair ?? generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientEmail = options.clientEmail ?? 'idsync@fake-project.iam.gserviceaccount.com';
  const keyId = randomBytes(20).toString('hex');
  const tokens = new Map<string, number>();
  const quota = options.rateLimit ?? { limit: 2400, windowSeconds: 60 };
  let quotaWindow = { start: 0, used: 0 };

  const http = await startHttpFake({
    isTokenRequest: (path) => path === '/token',
    handle: async (request, base) => {
      if (request.url.pathname === '/token') return token(request, base);
      const auth = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
      const expires = auth ? tokens.get(auth[1] as string) : undefined;
      if (expires === undefined || expires < Date.now()) {
        return googleError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', 'authError', 'UNAUTHENTICATED');
      }
      return overQuota(Date.now()) ? throttled('userRateLimitExceeded', 403) : route(request);
    },
  });

  /** Counts the request in the current fixed window of the per-user quota. */
  function overQuota(now: number): boolean {
    const size = quota.windowSeconds * 1000;
    const start = Math.floor(now / size) * size;
    if (start !== quotaWindow.start) quotaWindow = { start, used: 0 };
    quotaWindow.used++;
    return quotaWindow.used > quota.limit;
  }

  async function token(request: FakeRequest, base: string): Promise<FakeResponse> {
    const form = parseForm(request.body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' + (form.get('grant_type') ?? '') } };
    }
    let payload;
    try {
      ({ payload } = await jwtVerify(form.get('assertion') ?? '', keyPair.publicKey, { algorithms: ['RS256'], issuer: clientEmail, audience: `${base}/token` }));
    } catch {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } };
    }
    if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number' || payload.exp - payload.iat > 3600) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.' } };
    }
    const scopes = String(payload['scope'] ?? '').split(' ');
    if (payload.sub !== adminSubject || !DIRECTORY_SCOPES.every((s) => scopes.includes(s))) {
      return { status: 401, body: { error: 'unauthorized_client', error_description: 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.' } };
    }
    const accessToken = `ya29.fake-${randomBytes(24).toString('base64url')}`;
    tokens.set(accessToken, Date.now() + 3_599_000);
    return { status: 200, body: { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' } };
  }

  function route(request: FakeRequest): FakeResponse {
    const path = request.url.pathname;
    const q = request.url.searchParams;
    if (path === '/admin/directory/v1/users' || path === '/admin/directory/v1/groups') {
      const customer = q.get('customer');
      const domain = q.get('domain');
      if ((customer === null && domain === null) || (customer !== null && customer !== 'my_customer' && customer !== 'C0fakecust') || (domain !== null && domain !== directory.domain)) {
        return googleError(400, 'Bad Request', 'badRequest');
      }
      if (path.endsWith('/users')) return page(request, [...directory.users.values()], 'users', userJson, 500, 100);
      return page(request, [...directory.groups.values()], 'groups', groupJson, 200, 200);
    }
    const members = /^\/admin\/directory\/v1\/groups\/([^/]+)\/members$/.exec(path);
    if (members) {
      const key = decodeURIComponent(members[1] as string);
      const group = directory.groups.get(key) ?? [...directory.groups.values()].find((g) => g.email === key);
      if (!group) return googleError(404, 'Resource Not Found: groupKey', 'notFound');
      const list = [...group.members].map(([id, type]) => ({ id, type }));
      return page(request, list, 'members', (m) => memberJson(m.id, m.type), 200, 200);
    }
    return googleError(404, 'Not Found', 'notFound');
  }

  function page<T>(request: FakeRequest, items: T[], key: string, json: (item: T) => unknown, maxResults: number, defaultResults: number): FakeResponse {
    const q = request.url.searchParams;
    const size = Math.min(maxResults, Math.max(1, Number(q.get('maxResults') ?? defaultResults)));
    const tokenText = q.get('pageToken');
    const off = tokenText === null ? 0 : decodeToken(tokenText);
    if (typeof off !== 'number') return googleError(400, 'Invalid Input: pageToken', 'invalid');
    const body: Record<string, unknown> = { kind: `admin#directory#${key}`, etag: `"${randomBytes(8).toString('hex')}"` };
    const slice = items.slice(off, off + size);
    if (slice.length > 0) body[key] = slice.map(json);
    if (off + size < items.length) body['nextPageToken'] = encodeToken(off + size);
    return { status: 200, body };
  }

  function memberJson(id: string, type: string): unknown {
    const email = type === 'USER' ? directory.users.get(id)?.primaryEmail : type === 'GROUP' ? directory.groups.get(id)?.email : undefined;
    return { kind: 'admin#directory#member', etag: '"m"', id, ...(email ? { email } : {}), role: 'MEMBER', type, status: 'ACTIVE' };
  }

  return {
    url: http.url,
    directory,
    counters: http.counters,
    serviceAccountKey: (overrides = {}) =>
      JSON.stringify({
        type: 'service_account',
        project_id: 'fake-project',
        private_key_id: keyId,
        private_key: keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        client_email: clientEmail,
        client_id: '100000000000000000042',
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: `${http.url}/token`,
        auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
        client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
        universe_domain: 'googleapis.com',
        ...overrides,
      }),
    inject: http.inject,
    clearFaults: http.clearFaults,
    throttle: (o = {}) => http.inject({ path: o.path, after: o.after, times: o.times, respond: () => throttled(o.reason ?? 'rateLimitExceeded', o.status ?? 403) }),
    forbid: (o = {}) =>
      http.inject({ path: o.path, after: o.after, times: o.times, respond: () => googleError(403, 'Not Authorized to access this resource/api', 'forbidden') }),
    fail: (o = {}) =>
      http.inject({ path: o.path, after: o.after, times: o.times, respond: () => googleError(o.status ?? 500, 'Backend Error', 'backendError') }),
    revokeTokens: () => tokens.clear(),
    close: http.close,
  };
}

function userJson(u: GoogleUser): unknown {
  return {
    kind: 'admin#directory#user',
    id: u.id,
    etag: '"u"',
    primaryEmail: u.primaryEmail,
    name: u.name,
    isAdmin: u.isAdmin,
    isDelegatedAdmin: false,
    suspended: u.suspended,
    archived: u.archived,
    changePasswordAtNextLogin: false,
    emails: [{ address: u.primaryEmail, primary: true }],
    ...(u.organizations ? { organizations: u.organizations } : {}),
    customerId: 'C0fakecust',
    orgUnitPath: u.orgUnitPath,
    isMailboxSetup: true,
    creationTime: u.creationTime,
    lastLoginTime: '1970-01-01T00:00:00.000Z',
  };
}

function groupJson(g: GoogleGroup): unknown {
  return {
    kind: 'admin#directory#group',
    id: g.id,
    etag: '"g"',
    email: g.email,
    name: g.name,
    directMembersCount: String(g.members.size),
    description: g.description,
    adminCreated: true,
    nonEditableAliases: [g.email.replace('@', '@test-google-a.')],
  };
}

const THROTTLE_MESSAGES: Record<GoogleThrottleReason, string> = {
  rateLimitExceeded: 'Rate Limit Exceeded',
  userRateLimitExceeded: 'User Rate Limit Exceeded',
  quotaExceeded: 'Quota Exceeded',
};

/** Google's throttles carry no Retry-After: the client is to back off exponentially on its own. */
function throttled(reason: GoogleThrottleReason, status: 403 | 429): FakeResponse {
  if (status === 429) {
    const message = "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'admin.googleapis.com' for consumer 'project_number:000000000042'.";
    return googleError(429, message, 'rateLimitExceeded', 'RESOURCE_EXHAUSTED');
  }
  return googleError(403, THROTTLE_MESSAGES[reason], reason, undefined, 'usageLimits');
}

/** Google's JSON error envelope. */
function googleError(status: number, message: string, reason: string, statusText?: string, domain = 'global'): FakeResponse {
  return {
    status,
    body: { error: { code: status, message, errors: [{ message, domain, reason }], ...(statusText ? { status: statusText } : {}) } },
  };
}
