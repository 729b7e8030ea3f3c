/**
 * The admin API against generated hostile requests, on both stores (admin-requests.ts says what is
 * generated): no 5xx, every error `{"error":{"code","message"}}` with our own words in it, every
 * success JSON (or the CSV asked for); the CSV export of permissions neutralises formulas; an
 * import of 100,000 lines is answered, not choked on.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApp, SYSTEM, type AdminApp } from '../helpers/admin-app.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/db.js';
import { adminRequest, type AdminFuzzRequest } from './admin-requests.js';
import { fuzzRun } from './fuzz-settings.js';
import { abbreviate } from './hostile.js';
import { rawRequest, type RawRequest, type RawResponse } from './raw-http.js';

const CONFIG = {
  organization: { internalDomains: ['example.com'] },
  sources: [{ id: 'hr', kind: 'scim' }],
  workspaces: [{ id: 'cfg', name: 'Configured', roles: { admin: [{ source: 'hr', group: 'leads' }] } }],
};
const LEAKS = [/\bat \S+ \(.*:\d+:\d+\)/, /\b(TypeError|ReferenceError|RangeError|SyntaxError|URIError)\b/, /Cannot read propert/, /is not a function/, /Maximum call stack/, /Unexpected token.*JSON|Unexpected end of JSON|(in|after) JSON at position/, /node_modules|\/src\//, /invalid input syntax for type/, /violates .* constraint/, /Failed to decode param/, /incorrect header check/];

/** Every way an admin-API answer falls short: a 5xx, a body that is not the API's. */
function answerProblems(response: RawResponse, request: RawRequest): string[] {
  const { status } = response;
  if (status >= 500) return [`server error ${status}`];
  if (status === 204 || request.method === 'HEAD') return response.body.length === 0 ? [] : ['204 with a body'];
  const type = response.headers.get('content-type') ?? '';
  const csv = request.headers.some(([n, v]) => n === 'accept' && v === 'text/csv');
  if (status < 300 && csv) return /^text\/csv/.test(type) ? [] : [`a CSV export served as "${type}"`];
  if (!/^application\/json/.test(type)) return [`${status} served as "${type}"`];
  let body: unknown;
  try {
    body = JSON.parse(response.body.toString('utf8'));
  } catch {
    return [`${status} with a body that is not JSON`];
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['the body is not an object'];
  if (status < 400) return [];
  const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') return ['an error without {"error":{"code","message"}}'];
  return LEAKS.filter((leak) => leak.test(error.message as string)).map((leak) => `the message leaks internals (${leak}): ${abbreviate(error.message as string, 300)}`);
}

describe.each(STORE_KINDS)('admin API fuzzing (%s)', (kind) => {
  let store: TestStore;
  let app: AdminApp;
  let personToken: string;
  /** How many answers of each status: a run that only ever hears 401 has tested nothing. */
  const statuses = new Map<number, number>();
  const pools: Record<string, string[]> = { ws: [], person: [], invite: [], token: [], account: [randomUUID()] };

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.call<Record<string, unknown>>(method, path, body === undefined ? {} : { body });
    return res;
  };

  async function refill(): Promise<void> {
    const list = await call('GET', '/workspaces?limit=20');
    pools['ws'] = ((list.body['workspaces'] as Array<{ id: string }> | undefined) ?? []).map((w) => w.id).filter((id) => id.startsWith('fz'));
    for (let i = pools['ws'].length; i < 2; i++) {
      const id = `fz${randomUUID().slice(0, 8)}`;
      if ((await call('POST', '/workspaces', { id, name: `Fuzz ${id}` })).status === 201) pools['ws'].push(id);
    }
    const ws = pools['ws'][0] as string;
    const members = await call('GET', `/workspaces/${ws}/members`);
    pools['person'] = ((members.body['members'] as Array<{ personId: string }> | undefined) ?? []).map((m) => m.personId);
    for (const [email, role] of [['fz-admin@example.com', 'admin'], ['fz-editor@example.com', 'editor'], ['fz-guest@partner.org', 'viewer']] as const) {
      const added = await call('POST', `/workspaces/${ws}/members`, { email, role });
      const id = (added.body['member'] as { personId?: string } | undefined)?.personId;
      if (id && !pools['person'].includes(id)) pools['person'].push(id);
    }
    const invite = await call('POST', `/workspaces/${ws}/invites`, { email: `fz-invite-${randomUUID().slice(0, 6)}@partner.org`, role: 'viewer' });
    const inviteId = (invite.body['invite'] as { id?: string } | undefined)?.id;
    if (inviteId) pools['invite'] = [inviteId];
    const tokens = await call('GET', '/tokens?limit=5');
    pools['token'] = ((tokens.body['tokens'] as Array<{ id: string }> | undefined) ?? []).map((t) => t.id);
  }

  function resolve(generated: AdminFuzzRequest): RawRequest {
    let n = 0;
    const pick = (text: string) =>
      text.replace(/@@(ws|person|invite|token|account)@@/g, (_m, name: string) => {
        const pool = pools[name] ?? [];
        return pool.length === 0 ? randomUUID() : (pool[n++ % pool.length] as string);
      });
    const headers: Array<[string, string]> = [];
    if (generated.auth === 'system') headers.push(['authorization', `Bearer ${SYSTEM}`]);
    if (generated.auth === 'person') headers.push(['authorization', `Bearer ${personToken}`]);
    if (generated.auth === 'wrong') headers.push(['authorization', 'Bearer wrong-token']);
    if (generated.body !== undefined && generated.contentType !== null) headers.push(['content-type', generated.contentType ?? 'application/json']);
    if (generated.accept) headers.push(['accept', generated.accept]);
    return { method: generated.method, path: `/api/v1${pick(generated.path)}`, headers, body: typeof generated.body === 'string' ? pick(generated.body) : generated.body };
  }

  async function check(generated: AdminFuzzRequest): Promise<void> {
    const request = resolve(generated);
    const describeIt = () => `${request.method} ${abbreviate(request.path, 300)}\n  headers: ${JSON.stringify(request.headers)}\n  body: ${request.body === undefined ? '' : abbreviate(Buffer.isBuffer(request.body) ? `<bytes ${request.body.toString('hex')}>` : request.body)}`;
    const response = await rawRequest(app.url, request, 30_000).catch((error: unknown) => {
      throw new Error(`[${generated.kind}] ${(error as Error).message}\n${describeIt()}`);
    });
    if (response === 'timeout') throw new Error(`[${generated.kind}] no answer within 30 s\n${describeIt()}`);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    const problems = answerProblems(response, request);
    if (problems.length > 0) throw new Error(`[${generated.kind}] ${response.status}: ${problems.join('; ')}\n${describeIt()}\n  answer: ${abbreviate(response.body.toString('utf8'), 400)}`);
    if (request.method === 'DELETE' && response.status === 204) await refill();
  }

  beforeAll(async () => {
    store = await openTestStore(kind);
    app = await startAdminApp(store.db, CONFIG);
    await refill();
    personToken = await app.tokenFor('fz-editor@example.com');
    await call('POST', '/tokens', { source: 'hr' });
    await refill();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('answers every generated request below 500 with the API error body or a JSON success', async () => {
    const run = fuzzRun(`admin api ${kind}`, { short: { runs: 400, timeLimitMs: 40_000 }, long: { runs: 10_000, timeLimitMs: 20 * 60_000 } });
    let sent = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(adminRequest(), async (generated) => {
        sent++;
        await check(generated);
      }),
      run.parameters,
    );
    console.info(`[fuzz] admin api ${kind}: ${sent} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    if (run.path === undefined) expect([...statuses.keys()].filter((s) => s < 300).length, 'some requests succeed').toBeGreaterThan(0);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  }, 30 * 60_000);
});
