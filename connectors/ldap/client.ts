/**
 * The ldapts calls: connect (ldap://, ldaps://, StartTLS), bind, paged and base searches,
 * unbind. Every failure leaves through `toConnectorError`; an aborted signal unbinds at once
 * (which also cuts a search in flight) and surfaces as the signal's reason.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import { ConnectorError } from '../../src/connector/errors.js';
import type { LdapSourceConfig } from './config.js';
import type { LdapEntry } from './entry.js';
import { abortError, toConnectorError, type ErrorContext } from './errors.js';

export interface SearchRequest {
  base: string;
  scope: 'base' | 'one' | 'sub';
  filter: string;
  attributes: string[];
  /** Attributes returned as Buffers (objectGUID, objectSid). */
  binaryAttributes?: readonly string[] | undefined;
}

/** What the connector needs from a bound connection; faked in unit tests. */
export interface LdapSession {
  /** One array of entries per LDAP page (RFC 2696); paging stays hidden in ldapts. */
  searchPages(request: SearchRequest): AsyncIterable<LdapEntry[]>;
  /** A non-paged search (base reads, AD range retrieval, small lookups). */
  search(request: SearchRequest): Promise<LdapEntry[]>;
  /** One entry by DN (base scope), `undefined` when it does not exist. */
  read(dn: string, attributes: string[], binaryAttributes?: readonly string[]): Promise<LdapEntry | undefined>;
  close(): Promise<void>;
}

export interface OpenSessionOptions {
  config: LdapSourceConfig;
  sourceId: string;
  /** The bind password (from `deps.env[config.passwordEnv]`); `undefined` binds anonymously. */
  password: string | undefined;
  pageSize: number;
  signal?: AbortSignal | undefined;
}

async function readTlsFile(path: string | undefined, what: string, sourceId: string): Promise<Buffer | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path);
  } catch (err) {
    throw new ConnectorError('connector_config', `ldap source "${sourceId}": cannot read tls.${what} "${path}": ${(err as Error).message}`, {
      cause: err,
      sourceId,
    });
  }
}

async function tlsOptions(config: LdapSourceConfig, sourceId: string): Promise<ConnectionOptions> {
  const host = new URL(config.url).hostname.replace(/^\[|\]$/g, '');
  const [ca, cert, key] = await Promise.all([
    readTlsFile(config.tls?.caFile, 'caFile', sourceId),
    readTlsFile(config.tls?.certFile, 'certFile', sourceId),
    readTlsFile(config.tls?.keyFile, 'keyFile', sourceId),
  ]);
  return {
    // StartTLS upgrades an existing socket: without `host`/`servername` Node would check the
    // certificate against "localhost". SNI takes host names only.
    host,
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    rejectUnauthorized: config.tls?.rejectUnauthorized ?? true,
  };
}

/** Connects and binds. The caller must `close()` the session. */
export async function openSession(o: OpenSessionOptions): Promise<LdapSession> {
  const { config, sourceId, signal } = o;
  const ctx = (operation: string): ErrorContext => ({ sourceId, operation, bindDn: config.bindDn, secret: o.password, signal });
  if (signal?.aborted) throw abortError(signal);
  const tls = await tlsOptions(config, sourceId);
  const client = new Client({
    url: config.url,
    connectTimeout: config.connectTimeoutMs,
    // Per request (each page is one): a server that stops answering fails the run.
    timeout: config.timeoutMs,
    // ldapts switches to TLS-from-the-start whenever tlsOptions are given: only for ldaps://.
    ...(config.url.startsWith('ldaps:') ? { tlsOptions: tls } : {}),
    // Member values come from the directory; a value we cannot parse must not throw in ldapts.
    strictDN: false,
  });
  const onAbort = () => {
    // Ends the session to stop the search; the abort is what the run reports, not how the unbind went.
    client.unbind().catch(() => undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const timeLimit = Math.max(1, Math.ceil(config.timeoutMs / 1000));

  const guard = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    if (signal?.aborted) throw abortError(signal);
    try {
      return await fn();
    } catch (err) {
      throw toConnectorError(err, ctx(operation));
    }
  };

  try {
    if (config.startTls) {
      if (config.url.startsWith('ldaps:')) {
        throw new ConnectorError('connector_config', `ldap source "${sourceId}": startTls cannot be combined with an ldaps:// url`, { sourceId });
      }
      await guard('StartTLS', () => client.startTLS(tls));
    }
    if (config.bindDn !== undefined) {
      const bindDn = config.bindDn;
      await guard(`bind as "${bindDn}"`, () => client.bind(bindDn, o.password ?? ''));
    }
  } catch (err) {
    signal?.removeEventListener('abort', onAbort);
    // The connect or bind failure is the one to report; an unbind failing on top of it would hide it.
    await client.unbind().catch(() => undefined);
    throw err;
  }

  const searchOptions = (r: SearchRequest) => ({
    scope: r.scope,
    filter: r.filter,
    attributes: r.attributes,
    explicitBufferAttributes: r.binaryAttributes ? [...r.binaryAttributes] : [],
    timeLimit,
  });

  const session: LdapSession = {
    async *searchPages(r) {
      const operation = `search ${r.base} ${r.filter}`;
      const pages = client.searchPaginated(r.base, { ...searchOptions(r), paged: { pageSize: o.pageSize } });
      try {
        for (;;) {
          const next = await guard(operation, () => pages.next());
          if (next.done) return;
          yield next.value.searchEntries as LdapEntry[];
          if (signal?.aborted) throw abortError(signal);
        }
      } finally {
        // Stopped early (abort, error, consumer break): ldapts' generator holds no server state
        // we can release except by closing; the session's close() unbinds.
        await pages.return(undefined).catch(() => undefined);
      }
    },
    search: (r) =>
      guard(`search ${r.base} ${r.filter}`, async () => (await client.search(r.base, searchOptions(r))).searchEntries as LdapEntry[]),
    async read(dn, attributes, binaryAttributes) {
      try {
        const entries = await session.search({ base: dn, scope: 'base', filter: '(objectClass=*)', attributes, binaryAttributes });
        return entries[0];
      } catch (err) {
        // A dangling or foreign member DN is not a failure of the run: noSuchObject (32),
        // referral (10: another naming context), invalidDNSyntax (34).
        const code = (err as { cause?: { code?: unknown } }).cause?.code;
        if (err instanceof ConnectorError && (code === 32 || code === 10 || code === 34)) return undefined;
        throw err;
      }
    },
    async close() {
      signal?.removeEventListener('abort', onAbort);
      // The listing is over: a server that went away before the unbind leaves nothing to release.
      await client.unbind().catch(() => undefined);
    },
  };
  return session;
}
