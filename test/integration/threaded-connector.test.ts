import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ldapSourceConfig } from '../../connectors/ldap/index.js';
import type { ConnectorPage } from '../../src/sync/connector.js';
import { createConnectorHere, type PulledSourceConfig } from '../../src/sync/connectors.js';
import { ConnectorError } from '../../src/sync/errors.js';
import { threadedConnector } from '../../src/sync/threaded-connector.js';
import { slapdSource, startSlapd, type Slapd } from '../helpers/slapd.js';

async function collect(pages: AsyncIterable<ConnectorPage>): Promise<ConnectorPage[]> {
  const out: ConnectorPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('an LDAP connector on its own thread', () => {
  let slapd: Slapd;
  let source: PulledSourceConfig;
  beforeAll(async () => {
    slapd = await startSlapd({ users: 1200, groups: 30, groupsPerUser: 2 });
    source = ldapSourceConfig.parse({ ...slapdSource(slapd, 'corp', 'LDAP_PW'), pageSize: 500 }) as PulledSourceConfig;
  });
  afterAll(async () => {
    await slapd?.stop();
  });

  it('lists exactly what the connector lists on the calling thread, page by page, with the cursor last', async () => {
    const env = { LDAP_PW: slapd.password };
    const threaded = await collect(threadedConnector(source, env).full());
    const here = await collect((await createConnectorHere(source, { env })).full());
    const strip = (pages: ConnectorPage[]) => pages.map(({ cursor, ...page }) => ({ ...page, cursor: cursor === undefined ? undefined : 'cursor' }));
    expect(strip(threaded)).toEqual(strip(here));
    expect(threaded.flatMap((p) => p.users ?? [])).toHaveLength(1200);
    expect(threaded.flatMap((p) => p.groups ?? [])).toHaveLength(30);
    expect(threaded.at(-1)?.cursor).toEqual(expect.any(String));
  });

  it('brings a ConnectorError back with its code, and never the password', async () => {
    const pages = threadedConnector(source, { LDAP_PW: 'wrong-password-123' }).full();
    const error = await collect(pages).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'CONNECTOR_AUTH' });
    expect(String((error as Error).message)).not.toContain('wrong-password-123');
  });

  it('stops listing when the run is aborted', async () => {
    const abort = new AbortController();
    const seen: ConnectorPage[] = [];
    const listing = (async () => {
      for await (const page of threadedConnector(source, { LDAP_PW: slapd.password }).full({ signal: abort.signal })) {
        seen.push(page);
        abort.abort(new Error('run cancelled'));
      }
    })();
    await expect(listing).rejects.toThrow();
    expect(seen).toHaveLength(1);
  });
});
