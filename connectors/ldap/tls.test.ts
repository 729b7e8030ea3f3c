/** StartTLS and ldaps:// against a slapd with a generated CA (test/helpers/slapd.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorPage } from '../../src/connector/connector.js';
import type { ConnectorError } from '../../src/connector/errors.js';
import { createTestCa, slapdSource, startSlapd, type Slapd } from '../../test/helpers/slapd.js';
import { ldapSourceConfig } from './config.js';
import { createLdapConnector } from './index.js';

let slapd: Slapd;
let otherCaDir: string;
let otherCa: string;

beforeAll(async () => {
  slapd = await startSlapd({ users: 25, groups: 2, tls: true });
  otherCaDir = mkdtempSync(join(tmpdir(), 'idsync-other-ca-'));
  otherCa = (await createTestCa(otherCaDir, 'other')).caFile;
});

afterAll(async () => {
  await slapd?.stop();
  if (otherCaDir) rmSync(otherCaDir, { recursive: true, force: true });
});

function connector(overrides: Record<string, unknown>) {
  const config = ldapSourceConfig.parse({ ...slapdSource(slapd, 'tls-ldap', 'PW'), ...overrides });
  return createLdapConnector(config, { env: { PW: slapd.password }, sourceId: 'tls-ldap' });
}

async function list(pages: AsyncIterable<ConnectorPage>): Promise<{ users: number; groups: number }> {
  let users = 0;
  let groups = 0;
  for await (const p of pages) {
    users += p.users?.length ?? 0;
    groups += p.groups?.length ?? 0;
  }
  return { users, groups };
}

async function failure(pages: AsyncIterable<ConnectorPage>): Promise<ConnectorError> {
  try {
    await list(pages);
  } catch (err) {
    return err as ConnectorError;
  }
  throw new Error('expected the listing to fail');
}

describe('TLS', () => {
  it('StartTLS with the CA that signed the server certificate', async () => {
    expect(await list(connector({ startTls: true, tls: { caFile: slapd.caFile } }).full())).toEqual({ users: 25, groups: 2 });
  });

  it('ldaps:// with the CA, and with a client certificate', async () => {
    expect(await list(connector({ url: slapd.ldapsUrl, tls: { caFile: slapd.caFile } }).full())).toEqual({ users: 25, groups: 2 });
    const withCert = connector({
      url: slapd.ldapsUrl,
      tls: { caFile: slapd.caFile, certFile: slapd.clientCertFile, keyFile: slapd.clientKeyFile },
    });
    expect(await list(withCert.full())).toEqual({ users: 25, groups: 2 });
  });

  it('StartTLS with the wrong CA fails with a clear, non-retryable error', async () => {
    const err = await failure(connector({ startTls: true, tls: { caFile: otherCa } }).full());
    expect(err.code).toBe('connector_config');
    expect(err.message).toMatch(/tls-ldap.*StartTLS.*not trusted.*tls\.caFile/);
  });

  it('ldaps:// with the wrong CA fails the same way', async () => {
    const err = await failure(connector({ url: slapd.ldapsUrl, tls: { caFile: otherCa } }).full());
    expect(err.code).toBe('connector_config');
    expect(err.message).toContain('not trusted');
  });

  it('presents tls.certFile / tls.keyFile to a server that demands a client certificate', async () => {
    const strict = await startSlapd({ users: 3, tls: true, requireClientCert: true });
    try {
      // Without a certificate, slapd (GnuTLS, TLS 1.3) rejects the client only after the
      // client considers the handshake done: the bind then gets no answer, hence a short timeout.
      const make = (tls: Record<string, unknown>) =>
        createLdapConnector(
          ldapSourceConfig.parse({
            id: 'mtls',
            kind: 'ldap',
            url: strict.url,
            startTls: true,
            bindDn: strict.bindDn,
            passwordEnv: 'PW',
            users: { baseDn: strict.peopleDn },
            tls,
            timeoutMs: 1500,
          }),
          { env: { PW: strict.password }, sourceId: 'mtls' },
        );
      expect(await list(make({ caFile: strict.caFile, certFile: strict.clientCertFile, keyFile: strict.clientKeyFile }).full())).toEqual({ users: 3, groups: 0 });
      const err = await failure(make({ caFile: strict.caFile }).full());
      expect(err.code).toMatch(/^connector_/);
      expect(err.message).toContain('mtls');
    } finally {
      await strict.stop();
    }
  });

  it('an unreadable CA file is a config error naming the file', async () => {
    const err = await failure(connector({ startTls: true, tls: { caFile: '/nonexistent/ca.pem' } }).full());
    expect(err.code).toBe('connector_config');
    expect(err.message).toContain('/nonexistent/ca.pem');
  });
});
