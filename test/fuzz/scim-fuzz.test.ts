/**
 * The SCIM server against generated hostile requests, on both stores (see scim-requests.ts for
 * what is generated). Properties: no 5xx (501 for root search aside), every answer a valid RFC
 * 7644 success or error body, another source's records never read or changed, the process up and
 * serving afterwards, and RSS and the JS heap after the run within RSS_BOUND_MB and HEAP_BOUND_MB
 * of their values after warm-up.
 */
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS, type StoreKind } from '../helpers/db.js';
import { startScimDaemon, type ScimDaemon } from '../e2e/scim-daemon.js';
import { fuzzRun } from './fuzz-settings.js';
import { abbreviate } from './hostile.js';
import { rawRequest, type RawRequest, type RawResponse } from './raw-http.js';
import { scimAnswerProblems } from './scim-answer.js';
import { scimRequest, type ScimFuzzRequest } from './scim-requests.js';

const TOKEN = 'fuzz-source-token';
const OTHER_TOKEN = 'other-source-token';
const THIRD_TOKEN = 'third-source-token';
/**
 * RSS after the run may exceed RSS after warm-up by at most this much. With PGlite, RSS includes
 * the embedded PostgreSQL's WebAssembly memory, which grows to its high-water mark and never
 * shrinks (10,000-request runs measured +100 to +480 MB, while the JS heap stayed flat), so its
 * bound is loose; the JS heap after full collections, which holds every object a leak in our code
 * would keep, has the tight bound on both stores.
 */
const RSS_BOUND_MB: Record<StoreKind, number> = { postgres: 200, pglite: 768 };
const HEAP_BOUND_MB = 64;
const ANSWER_TIMEOUT_MS = 20_000;
const NEVER_ENDING_WAIT_MS = 1_500;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** RSS and JS heap in MB, after full collections. */
const memoryMb = () => {
  gc();
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss: rss / 2 ** 20, heap: heapUsed / 2 ** 20 };
};

interface Pools {
  user: string[];
  group: string[];
  otherUser: string[];
  otherGroup: string[];
  missing: string[];
}

/** The messages of the errors the server logged as hidden from the client (`ScimError.hidesCause`). */
function hiddenCauses(lines: string[]): string[] {
  const causes: string[] = [];
  for (const line of lines) {
    if (!line.includes('"SCIM request failed"') && !line.includes('"SCIM bulk operation failed"')) continue;
    const message = (JSON.parse(line) as { err?: { message?: unknown } }).err?.message;
    if (typeof message === 'string' && message.length >= 8) causes.push(message);
  }
  return causes;
}

describe.each(STORE_KINDS)('SCIM fuzzing (%s)', (kind) => {
  let server: ScimDaemon;
  const pools: Pools = { user: [], group: [], otherUser: [], otherGroup: [], missing: [randomUUID(), randomUUID()] };
  /** How many answers stood in for a cause the server only logged: the leak check has something to check. */
  let hidden = 0;
  /** The other source's records as they were: version by id. */
  const otherVersions = new Map<string, string>();

  const send = (request: RawRequest, timeoutMs = ANSWER_TIMEOUT_MS) => rawRequest(server.scimUrl, { ...request, path: `/scim/v2${request.path}` }, timeoutMs);
  const call = async (token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown>; etag: string | undefined }> => {
    const res = await send({ method, path, headers: [['authorization', `Bearer ${token}`], ...(body === undefined ? [] : ([['content-type', 'application/scim+json']] as Array<[string, string]>))], body: body === undefined ? undefined : JSON.stringify(body) });
    if (res === 'timeout') throw new Error(`${method} ${path}: no answer`);
    const text = res.body.toString('utf8');
    return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), etag: res.headers.get('etag') };
  };

  /** Keeps a few users and groups of the fuzzed source alive: the generated requests delete and replace them. */
  async function refillPools(): Promise<void> {
    const users = await call(TOKEN, 'GET', '/Users?count=12&attributes=id');
    pools.user = ((users.body['Resources'] as Array<{ id: string }> | undefined) ?? []).map((r) => r.id);
    for (let i = pools.user.length; i < 6; i++) {
      const res = await call(TOKEN, 'POST', '/Users', { userName: `pool-${randomUUID()}@example.com`, emails: [{ value: `pool-${i}@example.com`, primary: true }] });
      if (res.status === 201) pools.user.push(res.body['id'] as string);
    }
    const groups = await call(TOKEN, 'GET', '/Groups?count=6&attributes=id');
    pools.group = ((groups.body['Resources'] as Array<{ id: string }> | undefined) ?? []).map((r) => r.id);
    for (let i = pools.group.length; i < 3; i++) {
      const res = await call(TOKEN, 'POST', '/Groups', { displayName: `Pool ${randomUUID()}`, members: pools.user.slice(0, 3).map((value) => ({ value })) });
      if (res.status === 201) pools.group.push(res.body['id'] as string);
    }
  }

  function resolve(request: ScimFuzzRequest): RawRequest {
    let occurrence = 0;
    const pick = (text: string) =>
      text.replace(/@@(user|group|otherUser|otherGroup|missing)@@/g, (_m, name: keyof Pools) => {
        const pool = pools[name];
        return pool.length === 0 ? randomUUID() : (pool[occurrence++ % pool.length] as string);
      });
    const headers: Array<[string, string]> = [];
    const authorization: Record<string, string[]> = {
      valid: [`Bearer ${TOKEN}`],
      missing: [],
      wrong: ['Bearer not-a-token'],
      basic: [`Basic ${Buffer.from(`fuzz:${TOKEN}`).toString('base64')}`],
      'valid-then-wrong': [`Bearer ${TOKEN}`, 'Bearer not-a-token'],
      'wrong-then-valid': ['Bearer not-a-token', `Bearer ${TOKEN}`],
      'other-source': [`Bearer ${THIRD_TOKEN}`],
      'lower-case-scheme': [`bearer ${TOKEN}`],
      huge: [`Bearer ${'t'.repeat(8_000)}`],
    };
    for (const value of authorization[request.auth] ?? []) headers.push(['authorization', value]);
    if (request.body !== undefined && request.contentType !== null) headers.push(['content-type', request.contentType ?? 'application/scim+json']);
    headers.push(...request.headers);
    return {
      method: request.method,
      path: pick(request.path),
      headers,
      body: typeof request.body === 'string' ? pick(request.body) : request.body,
      neverEnd: request.neverEnd,
    };
  }

  function describeRequest(request: RawRequest): string {
    const body = request.body === undefined ? '' : `\n  body: ${abbreviate(Buffer.isBuffer(request.body) ? `<${request.body.length} bytes: ${request.body.toString('hex').slice(0, 80)}>` : request.body)}`;
    return `${request.method} ${abbreviate(request.path, 300)}\n  headers: ${abbreviate(JSON.stringify(request.headers), 400)}${body}`;
  }

  /** One generated request: sent, its answer checked. Throws with every problem found. */
  async function check(generated: ScimFuzzRequest): Promise<void> {
    const request = resolve(generated);
    const logged = server.logLines.length;
    const response: RawResponse | 'timeout' = await send(request, request.neverEnd ? NEVER_ENDING_WAIT_MS : ANSWER_TIMEOUT_MS).catch((error: unknown) => {
      throw new Error(`[${generated.kind}] ${(error as Error).message}\n${describeRequest(request)}`);
    });
    if (response === 'timeout') {
      if (request.neverEnd) return;
      throw new Error(`[${generated.kind}] no answer within ${ANSWER_TIMEOUT_MS} ms\n${describeRequest(request)}`);
    }
    const problems = scimAnswerProblems(response, request.method);
    // The causes the server logged instead of telling the client (runtime errors): their text must not be in the answer.
    const answer = response.body.toString('utf8');
    const causes = hiddenCauses(server.logLines.slice(logged));
    hidden += causes.length;
    for (const cause of causes) {
      if (answer.includes(JSON.stringify(cause).slice(1, 61))) problems.push(`the answer carries the text of an error the server hid: ${abbreviate(cause, 200)}`);
    }
    const asOwner = generated.auth === 'valid' || generated.auth === 'valid-then-wrong';
    // By id in the path; an id in a filter or body is only a value to compare with.
    const resourcePath = request.path.split('?')[0] ?? '';
    const touchesOther = [...pools.otherUser, ...pools.otherGroup].some((id) => resourcePath.includes(id));
    if (asOwner && touchesOther && response.status < 400 && request.method !== 'POST') problems.push(`another source's record answered ${response.status}`);
    if (problems.length > 0) {
      // The server logs the cause it did not show the client: the lead to the fault.
      const warning = server.logLines.slice(logged).filter((line) => line.includes('"err"')).slice(-1)[0];
      throw new Error(`[${generated.kind}] ${response.status}: ${problems.join('; ')}\n${describeRequest(request)}\n  answer: ${abbreviate(response.body.toString('utf8'), 400)}${warning ? `\n  the server logged: ${abbreviate(warning, 1500)}` : ''}`);
    }
    if (request.method === 'DELETE' || request.path.startsWith('/Bulk') || (request.method === 'PUT' && response.status === 200)) await refillPools();
  }

  beforeAll(async () => {
    server = await startScimDaemon({
      kind,
      config: {
        sources: [
          { id: 'fuzz', kind: 'scim', tokenEnv: 'FUZZ_TOKEN' },
          { id: 'other', kind: 'scim', tokenEnv: 'OTHER_TOKEN' },
          { id: 'third', kind: 'scim', tokenEnv: 'THIRD_TOKEN' },
        ],
      },
      env: { FUZZ_TOKEN: TOKEN, OTHER_TOKEN, THIRD_TOKEN },
    });
    for (let i = 0; i < 2; i++) {
      const res = await call(OTHER_TOKEN, 'POST', '/Users', { userName: `other-${i}@example.com`, emails: [{ value: `other-${i}@example.com`, primary: true }] });
      pools.otherUser.push(res.body['id'] as string);
    }
    const group = await call(OTHER_TOKEN, 'POST', '/Groups', { displayName: 'Other group', members: pools.otherUser.map((value) => ({ value })) });
    pools.otherGroup.push(group.body['id'] as string);
    for (const [resource, ids] of [['Users', pools.otherUser], ['Groups', pools.otherGroup]] as const) {
      for (const id of ids) otherVersions.set(id, (await call(OTHER_TOKEN, 'GET', `/${resource}/${id}`)).etag ?? '');
    }
    await refillPools();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers every generated request below 500 with a valid SCIM body; RSS stays bounded', async () => {
    const run = fuzzRun(`scim ${kind}`, { short: { runs: 300, timeLimitMs: 60_000 }, long: { runs: 10_000, timeLimitMs: 40 * 60_000 } });
    // Warm-up: the code paths, pools and caches the requests touch — the run's first requests, so
    // that a failure here replays with the same FUZZ_SEED and FUZZ_PATH.
    await fc.assert(fc.asyncProperty(scimRequest(), check), { ...run.parameters, numRuns: Math.min(60, run.runs) });
    const warm = memoryMb();
    let sent = 0;
    const started = Date.now();
    const property = fc.asyncProperty(scimRequest(), async (generated) => {
      sent++;
      await check(generated);
    });
    await fc.assert(property, run.parameters);
    const after = memoryMb();
    console.info(
      `[fuzz] scim ${kind}: ${sent} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `RSS ${warm.rss.toFixed(0)} → ${after.rss.toFixed(0)} MB (bound +${RSS_BOUND_MB[kind]}), heap ${warm.heap.toFixed(0)} → ${after.heap.toFixed(0)} MB (bound +${HEAP_BOUND_MB}); ` +
        `${hidden} causes hidden from the client`,
    );
    expect(after.rss - warm.rss, `RSS grew from ${warm.rss.toFixed(0)} MB to ${after.rss.toFixed(0)} MB`).toBeLessThanOrEqual(RSS_BOUND_MB[kind]);
    expect(after.heap - warm.heap, `the JS heap grew from ${warm.heap.toFixed(0)} MB to ${after.heap.toFixed(0)} MB`).toBeLessThanOrEqual(HEAP_BOUND_MB);
  }, 60 * 60_000);

  it('a chunked body that never ends holds up no one else: other requests are answered meanwhile', async () => {
    const stalled = ['/Users', '/Bulk', '/Users/.search'].map((path) =>
      send({ method: 'POST', path, headers: [['authorization', `Bearer ${TOKEN}`], ['content-type', 'application/scim+json']], body: '{"userName":"', neverEnd: true }, 3_000),
    );
    const started = Date.now();
    const meanwhile = await call(TOKEN, 'GET', '/Users?count=1');
    expect(meanwhile.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    // Either the server gives up on them first (408 with an error body) or the client does.
    for (const result of await Promise.all(stalled)) {
      if (result !== 'timeout') expect(scimAnswerProblems(result, 'POST')).toEqual([]);
    }
  });

  it('is still up and serving afterwards, and another source was never read or changed', async () => {
    const health = await fetch(`${server.daemon.url}/healthz`);
    expect(health.status).toBe(200);
    const created = await call(TOKEN, 'POST', '/Users', { userName: `after-${randomUUID()}@example.com` });
    expect(created.status).toBe(201);
    for (const [resource, ids] of [['Users', pools.otherUser], ['Groups', pools.otherGroup]] as const) {
      for (const id of ids) {
        const res = await call(OTHER_TOKEN, 'GET', `/${resource}/${id}`);
        expect(res.status).toBe(200);
        expect(res.etag, `${resource}/${id} changed`).toBe(otherVersions.get(id));
      }
    }
    const groups = await call(TOKEN, 'GET', '/Groups?count=1000&attributes=members');
    const members = ((groups.body['Resources'] as Array<{ members?: Array<{ value: string }> }> | undefined) ?? []).flatMap((g) => g.members ?? []).map((m) => m.value);
    expect(members.filter((m) => pools.otherUser.includes(m))).toEqual([]);
  });
});

