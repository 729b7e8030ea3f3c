/**
 * Microsoft's SCIM reference Postman collection, run with newman against the daemon. Every
 * assertion passes except those on the collection's own non-standard endpoints, which this server
 * deliberately does not offer:
 * - `GET /Token` ("Get Token": "Status code is 200") — an unauthenticated token endpoint of the
 *   reference implementation; here tokens come from the config or `idsync tokens create`.
 * - `GET /serviceConfiguration` ("Get ServiceProviderConfig": "Status code is 200", "Pach supported
 *   is true") — the standard endpoint is `/ServiceProviderConfig`, which is tested below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance, type AssertionOutcome } from '../conformance/run.js';
import { startScimDaemon, type ScimDaemon } from './scim-daemon.js';

const TOKEN = 'scim-conformance-token';

describe('Microsoft SCIM reference collection (newman)', () => {
  let server: ScimDaemon;
  let outcomes: AssertionOutcome[];

  beforeAll(async () => {
    server = await startScimDaemon({
      kind: 'postgres',
      config: { sources: [{ id: 'idp', kind: 'scim', tokenEnv: 'SCIM_TOKEN' }] },
      env: { SCIM_TOKEN: TOKEN },
    });
    outcomes = await runConformance({ scimUrl: server.scimUrl, token: TOKEN });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('passes every assertion except those on /Token and /serviceConfiguration', () => {
    const nonStandard = (o: AssertionOutcome) => /\/(Token|serviceConfiguration)(\?|$)/i.test(o.url);
    const failed = outcomes.filter((o) => !o.passed && !nonStandard(o));
    expect(failed.map((o) => `${o.request} [${o.method} ${o.url} → ${o.status}]: ${o.assertion}: ${o.error}`)).toEqual([]);
    expect(outcomes.filter((o) => o.passed).length).toBeGreaterThan(70);
    expect(outcomes.filter((o) => !o.passed).map((o) => `${o.request}: ${o.assertion}`)).toEqual([
      'Get Token: Status code is 200',
      'Get ServiceProviderConfig: Status code is 200',
      'Get ServiceProviderConfig: Pach supported is true',
    ]);
  });

  it('serves the standard ServiceProviderConfig the collection looks for under another name', async () => {
    const res = await fetch(`${server.scimUrl}/ServiceProviderConfig`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { patch: { supported: boolean } }).patch.supported).toBe(true);
  });

  it('never logs the token', () => {
    expect(server.logLines.join('')).not.toContain(TOKEN);
  });
});
