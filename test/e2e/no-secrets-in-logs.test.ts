/**
 * Security property: no secret in the logs. One daemon (HTTP and workers, PostgreSQL) logs at
 * `trace` into memory while a scenario uses every kind of secret idsync handles — the admin token,
 * SCIM tokens from the config and from `POST /tokens`, person tokens, invite tokens, LDAP bind
 * passwords, an Entra client secret, an Okta API token, a Google service-account key, a webhook
 * signing secret — on the paths that succeed and on those that fail: wrong and nearly-right tokens
 * until the failed-attempt limit answers 429, a revoked token, wrong passwords and secrets, a
 * malformed key, an upstream API that echoes the credential it was sent, webhook deliveries that
 * fail. Everything the process wrote (the pino destination, and console/stdout/stderr besides) is
 * then scanned for each secret, whole and in part, raw and as JSON, URL and base64 encode it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntraConnector } from '../../connectors/entra/index.js';
import { hashToken } from '../../src/domain/secret-tokens.js';
import { readSettings } from '../../src/config/env.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { createConnector, type ConnectorFactory } from '../../src/sync/connectors.js';
import { startGoogleFake, type GoogleFake } from '../fakes/google/index.js';
import { startGraphFake, type GraphFake } from '../fakes/graph/index.js';
import { redirectingNetworkClient } from '../fakes/graph/msal-network-client.js';
import { startOktaFake, type OktaFake } from '../fakes/okta/index.js';
import { openTestStore, type TestStore } from '../helpers/db.js';
import { httpRequest } from '../helpers/http-request.js';
import { waitFor } from '../helpers/process.js';
import { deletePrefix, TEST_REDIS_URL, testRedis, uniquePrefix } from '../helpers/redis.js';
import { startSlapd, type Slapd } from '../helpers/slapd.js';

const secret = (label: string) => `${label}-${randomBytes(18).toString('base64url')}`;
const ADMIN = secret('admin');
const HR_TOKEN = secret('hr');
const ENTRA_SECRET = secret('entra');
const ENTRA_BAD_SECRET = secret('entra-wrong');
const OKTA_TOKEN = `00${randomBytes(20).toString('base64url')}`;
const OKTA_BAD_TOKEN = `00${randomBytes(20).toString('base64url')}`;
const LDAP_BAD_PW = secret('ldap-wrong');
const WEBHOOK_SECRET = secret('webhook');
const GOOGLE_BAD_KEY_MARKER = secret('google-bad-key');
/** Tokens clients present that are not valid: a client's mistyped credential may be a real one elsewhere. */
const WRONG_TOKENS = [secret('wrong'), `${HR_TOKEN}x`, HR_TOKEN.slice(0, -1), `x${ADMIN}`, ADMIN.toUpperCase(), secret('wrong')];

describe('no secret in the logs', () => {
  let slapd: Slapd;
  let graph: GraphFake;
  let okta: OktaFake;
  let google: GoogleFake;
  let receiver: Server;
  let store: TestStore;
  let daemon: Daemon;
  let prefix: string;
  const logs: string[] = [];
  /** Console and stdio output while the scenario ran (libraries that log on their own). */
  const stray: string[] = [];
  /** Every secret the scenario used; more are added as the scenario makes them. */
  const secrets = new Map<string, string>();
  const restore: Array<() => void> = [];

  function capture(): void {
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        stray.push(String(chunk));
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = write));
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      const original = console[method];
      console[method] = (...args: unknown[]) => {
        stray.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
        original.apply(console, args);
      };
      restore.push(() => (console[method] = original));
    }
  }

  const api = (method: string, path: string, options: { token?: string; body?: unknown; from?: string } = {}) =>
    httpRequest(`${daemon.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${options.token ?? ADMIN}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      localAddress: options.from ?? '127.0.0.1',
    });
  const scim = (method: string, path: string, token: string, body?: unknown, from = '127.0.0.1') =>
    httpRequest(`${daemon.url}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      localAddress: from,
    });

  async function syncAndWait(source: string): Promise<{ status: string; error: { message: string } | null }> {
    const started = await api('POST', `/sources/${source}/sync`, { body: { mode: 'full' } });
    expect(started.status, started.text).toBe(202);
    return waitFor(async () => {
      const runs = (await api('GET', `/sources/${source}/runs`)).json as { runs: Array<{ status: string; error: { message: string } | null }> };
      const run = runs.runs[0];
      return run && run.status !== 'queued' && run.status !== 'running' ? run : undefined;
    }, 60_000, `a run of ${source}`);
  }

  beforeAll(async () => {
    capture();
    slapd = await startSlapd({ users: 5, groups: 1 });
    [graph, okta, google] = await Promise.all([
      startGraphFake({ users: 20, groups: 2, clientSecret: ENTRA_SECRET }),
      startOktaFake({ users: 20, groups: 2, apiToken: OKTA_TOKEN }),
      startGoogleFake({ users: 20, groups: 2 }),
    ]);
    const googleKey = google.serviceAccountKey();
    const badKey = google.serviceAccountKey({ private_key: `-----BEGIN PRIVATE KEY-----\n${GOOGLE_BAD_KEY_MARKER}\n-----END PRIVATE KEY-----\n` });
    receiver = createServer((_req, res) => res.writeHead(500).end('no'));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));

    const env = {
      HR_TOKEN,
      LDAP_PW: slapd.password,
      LDAP_BAD_PW,
      ENTRA_SECRET,
      ENTRA_BAD_SECRET,
      OKTA_TOKEN,
      OKTA_BAD_TOKEN,
      GOOGLE_KEY: googleKey,
      GOOGLE_BAD_KEY: badKey,
      WEBHOOK_SECRET,
    };
    for (const [name, value] of Object.entries(env)) secrets.set(name, value);
    secrets.set('IDSYNC_ADMIN_TOKEN', ADMIN);
    const key = JSON.parse(googleKey) as { private_key: string; private_key_id: string };
    secrets.set('google private_key_id', key.private_key_id);
    // Each line of the key's base64 body on its own: a log that holds part of a key leaks it too.
    for (const [i, line] of key.private_key.split('\n').filter((l) => l.length > 40 && !l.startsWith('-----')).entries()) secrets.set(`google private key line ${i}`, line);
    WRONG_TOKENS.forEach((t, i) => secrets.set(`wrong token ${i}`, t));

    const ldap = (id: string, passwordEnv: string) => ({ id, kind: 'ldap', url: slapd.url, bindDn: slapd.bindDn, passwordEnv, users: { baseDn: slapd.peopleDn }, groups: { baseDn: slapd.groupsDn } });
    const entra = (id: string, clientSecretEnv: string) => ({ id, kind: 'entra', tenantId: graph.tenantId, clientId: graph.clientId, clientSecretEnv, graphUrl: graph.graphUrl, retry: { maxAttempts: 2, baseDelayMs: 10 } });
    const oktaSource = (id: string, apiTokenEnv: string) => ({ id, kind: 'okta', orgUrl: okta.url, apiTokenEnv, retry: { maxAttempts: 2, baseDelayMs: 10 } });
    const googleSource = (id: string, serviceAccountKeyEnv: string) => ({ id, kind: 'google', adminSubject: 'admin@example.com', serviceAccountKeyEnv, directoryUrl: google.url, retry: { maxAttempts: 2, baseDelayMs: 10 } });
    const config = parseConfig({
      organization: { internalDomains: ['example.com'] },
      sources: [
        { id: 'hr', kind: 'scim', tokenEnv: 'HR_TOKEN' },
        { id: 'crm', kind: 'scim' },
        ldap('corp', 'LDAP_PW'),
        ldap('corp-wrong', 'LDAP_BAD_PW'),
        entra('entra', 'ENTRA_SECRET'),
        entra('entra-wrong', 'ENTRA_BAD_SECRET'),
        entra('entra-echo', 'ENTRA_SECRET'),
        oktaSource('okta', 'OKTA_TOKEN'),
        oktaSource('okta-wrong', 'OKTA_BAD_TOKEN'),
        oktaSource('okta-echo', 'OKTA_TOKEN'),
        googleSource('gws', 'GOOGLE_KEY'),
        googleSource('gws-bad-key', 'GOOGLE_BAD_KEY'),
        googleSource('gws-echo', 'GOOGLE_KEY'),
      ],
      workspaces: [{ id: 'eng', name: 'Engineering', roles: { viewer: [{ source: 'hr', group: 'Everyone' }] } }],
      webhooks: [{ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, secretEnv: 'WEBHOOK_SECRET' }],
    });
    const factory: ConnectorFactory = async (source, deps) =>
      source.kind === 'entra'
        ? createEntraConnector(source, { env: deps.env, sourceId: source.id, msalNetworkClient: redirectingNetworkClient('https://login.microsoftonline.com', graph.url) })
        : createConnector(source, deps);
    store = await openTestStore('postgres');
    prefix = uniquePrefix('secrets');
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    daemon = await startDaemon({
      settings: { ...readSettings({}), port: 0, redisUrl: TEST_REDIS_URL, queuePrefix: prefix, adminToken: ADMIN },
      config,
      roles: { http: true, worker: true, scheduler: false },
      logger: createLogger({ destination: sink, level: 'trace' }),
      db: store.db,
      env,
      connectorFactory: factory,
      lifecycleTimings: { relayIntervalMs: 100, webhookAttempts: 2, webhookBackoffMs: 50 },
    });
  }, 120_000);

  afterAll(async () => {
    await daemon?.close();
    for (const undo of restore.reverse()) undo();
    await store?.close();
    await Promise.all([slapd?.stop(), graph?.close(), okta?.close(), google?.close(), new Promise((r) => receiver?.close(r))]);
    const redis = testRedis();
    await deletePrefix(redis, prefix).catch(() => {});
    redis.disconnect();
  });

  it('runs a scenario that uses and misuses every secret', async () => {
    // SCIM with the config's token; then wrong and nearly-right tokens from one address until 429.
    const alice = await scim('POST', '/Users', HR_TOKEN, { userName: 'alice@example.com', emails: [{ value: 'alice@example.com', primary: true }] });
    expect(alice.status, alice.text).toBe(201);
    const group = await scim('POST', '/Groups', HR_TOKEN, { displayName: 'Everyone', members: [{ value: (alice.json as { id: string }).id }] });
    expect(group.status).toBe(201);
    const refused: number[] = [];
    for (let i = 0; i < 12; i++) refused.push((await scim('GET', '/Users', WRONG_TOKENS[i % WRONG_TOKENS.length] as string, undefined, '127.0.0.7')).status);
    expect(refused).toContain(401);
    expect(refused).toContain(429);
    for (const token of WRONG_TOKENS) expect((await api('GET', '/sources', { token, from: '127.0.0.8' })).status).toBeGreaterThanOrEqual(401);
    // A token in the query string, where some clients put it: never logged either.
    await httpRequest(`${daemon.url}/scim/v2/Users?access_token=${encodeURIComponent(HR_TOKEN)}&filter=${encodeURIComponent(`userName eq "${HR_TOKEN}"`)}`, { headers: { authorization: `Bearer ${HR_TOKEN}` } });

    // Tokens made through the API: a source token, a person token; one revoked and used again.
    const source = await api('POST', '/tokens', { body: { source: 'crm' } });
    expect(source.status, source.text).toBe(201);
    const sourceToken = (source.json as { token: string; id: string }).token;
    secrets.set('source token', sourceToken);
    secrets.set('source token hash', hashToken(sourceToken));
    expect((await scim('GET', '/Users', sourceToken)).status).toBe(200);
    expect((await api('POST', '/workspaces/eng/members', { body: { email: 'admin@example.com', role: 'admin' } })).status).toBe(201);
    const person = await api('POST', '/tokens', { body: { person: 'admin@example.com', expiresIn: 'P1D' } });
    const personToken = (person.json as { token: string; id: string }).token;
    secrets.set('person token', personToken);
    secrets.set('person token hash', hashToken(personToken));
    expect((await api('GET', '/workspaces/eng/members', { token: personToken })).status).toBe(200);
    expect((await api('DELETE', `/tokens/${(source.json as { id: string }).id}`)).status).toBe(204);
    expect((await scim('GET', '/Users', sourceToken)).status).toBe(401);

    // An invite: its token accepted once, then again.
    const invite = await api('POST', '/workspaces/eng/invites', { token: personToken, body: { email: 'guest@example.com', role: 'viewer' } });
    expect(invite.status, invite.text).toBe(201);
    const inviteToken = (invite.json as { invite: { token: string } }).invite.token;
    secrets.set('invite token', inviteToken);
    expect((await api('POST', '/invites/accept', { body: { token: inviteToken } })).status).toBe(200);
    expect((await api('POST', '/invites/accept', { body: { token: inviteToken } })).status).toBe(409);

    // Directory syncs: each credential right and wrong, and an API that echoes the credential back.
    okta.inject({ path: /\/api\/v1\/users/, times: Infinity, respond: (request) => ({ status: 401, body: { errorCode: 'E0000011', errorSummary: `Invalid token provided: ${String(request.headers.authorization)}` } }) });
    const outcomes: Record<string, string> = { 'okta-echo': (await syncAndWait('okta-echo')).status };
    okta.clearFaults();
    // Token endpoints that quote the request back: Entra's client secret, Google's signed assertion.
    graph.inject({ path: /oauth2\/v2\.0\/token/, times: Infinity, respond: (request) => ({ status: 401, body: { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided: ${new URLSearchParams(request.body).get('client_secret') ?? ''}` } }) });
    outcomes['entra-echo'] = (await syncAndWait('entra-echo')).status;
    graph.clearFaults();
    google.inject({
      path: /\/token/,
      times: Infinity,
      respond: (request) => {
        // The signature is what makes the assertion a credential (its header and claims are not secret).
        const signature = (new URLSearchParams(request.body).get('assertion') ?? '').split('.')[2] ?? '';
        secrets.set('google assertion signature', signature);
        return { status: 400, body: { error: 'invalid_grant', error_description: `Invalid JWT Signature: ${signature}` } };
      },
    });
    outcomes['gws-echo'] = (await syncAndWait('gws-echo')).status;
    google.clearFaults();
    for (const id of ['corp', 'corp-wrong', 'entra', 'entra-wrong', 'okta', 'okta-wrong', 'gws', 'gws-bad-key']) outcomes[id] = (await syncAndWait(id)).status;
    expect(outcomes).toEqual({
      corp: 'succeeded',
      'corp-wrong': 'failed',
      entra: 'succeeded',
      'entra-wrong': 'failed',
      okta: 'succeeded',
      'okta-wrong': 'failed',
      'okta-echo': 'failed',
      'entra-echo': 'failed',
      gws: 'succeeded',
      'gws-echo': 'failed',
      'gws-bad-key': 'failed',
    });
    // The failed runs' messages, shown by the API, hold no secret either.
    const runs = await Promise.all(['corp-wrong', 'entra-wrong', 'entra-echo', 'okta-wrong', 'okta-echo', 'gws-bad-key', 'gws-echo'].map(async (id) => (await api('GET', `/sources/${id}/runs`)).text));
    for (const text of runs) for (const [name, value] of secrets) expect(text, name).not.toContain(value);

    // Webhook deliveries (signed with the webhook secret) fail against the receiver, and are logged.
    await waitFor(async () => (logs.join('').includes('webhook') ? true : undefined), 20_000, 'a webhook delivery logged');
  }, 180_000);

  it('the logs hold none of the secrets, whole, in part or encoded', async () => {
    await daemon.close();
    const text = logs.join('');
    expect(text.length).toBeGreaterThan(10_000);
    // The scenario's failures were logged, so the scan reads what matters.
    expect(text).toMatch(/"level":(40|50)/);
    const findings: string[] = [];
    for (const [name, value] of secrets) {
      for (const [form, encoded] of forms(value)) {
        if (text.includes(encoded)) findings.push(`${name} (${form}) in the logs`);
        if (stray.join('').includes(encoded)) findings.push(`${name} (${form}) on the console`);
      }
    }
    expect(findings).toEqual([]);
  });
});

/** A secret as logs might carry it: whole, JSON-escaped, URL- and base64-encoded, and its first and last 16 characters. */
function forms(value: string): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['raw', value],
    ['json', JSON.stringify(value).slice(1, -1)],
    ['url', encodeURIComponent(value)],
    ['base64', Buffer.from(value).toString('base64').slice(0, -4)],
  ];
  if (value.length >= 24) out.push(['prefix', value.slice(0, 16)], ['suffix', value.slice(-16)]);
  return out.filter(([, v]) => v.length >= 12);
}
