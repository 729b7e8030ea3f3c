import { importPKCS8, SignJWT } from 'jose';
import { z } from 'zod';
import { ConnectorError, RetryableConnectorError } from '../../src/connector/errors.js';
import type { TokenProvider } from '../shared/http-client.js';
import type { GoogleSourceConfig } from './config.js';
import { readServiceAccountKey, type ServiceAccountKey } from './service-account-key.js';
import { cachedTokenExpiry } from '../shared/token-expiry.js';
import { withoutSecrets } from '../shared/without-secrets.js';

/** Read-only Directory API scopes (users, groups, group members). */
export const DIRECTORY_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.member.readonly',
] as const;

type SigningKey = Awaited<ReturnType<typeof importPKCS8>>;

const ASSERTION_LIFETIME_S = 3600;

const tokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.number().optional() }).passthrough();
const tokenError = z.object({ error: z.string(), error_description: z.string().optional() }).passthrough();

export interface GoogleTokenProviderDeps {
  env: Readonly<Record<string, string | undefined>>;
  sourceId: string;
  fetch: typeof fetch;
  requestTimeoutMs: number;
  now?: () => number;
}

/**
 * Domain-wide delegation: an RS256 JWT signed with the service account's key (iss = the
 * account, sub = the admin it acts as, aud = the key file's `token_uri`) exchanged at `token_uri`
 * for an access token ([RFC 7523 §2.1](https://www.rfc-editor.org/rfc/rfc7523#section-2.1),
 * [Google: service accounts](https://developers.google.com/identity/protocols/oauth2/service-account#httprest)).
 */
export function createGoogleTokenProvider(config: GoogleSourceConfig, deps: GoogleTokenProviderDeps): TokenProvider {
  const now = deps.now ?? Date.now;
  const label = `source "${deps.sourceId}"`;
  let key: { account: ServiceAccountKey; signingKey: SigningKey } | undefined;
  let cached: { value: string; expiresAt: number } | undefined;

  async function load(): Promise<{ account: ServiceAccountKey; signingKey: SigningKey }> {
    const account = readServiceAccountKey(deps.env, config.serviceAccountKeyEnv, deps.sourceId);
    try {
      return { account, signingKey: await importPKCS8(account.private_key, 'RS256') };
    } catch {
      throw new ConnectorError('connector_config', `${label}: the private_key of the service-account key is not a PKCS#8 RSA key`, { sourceId: deps.sourceId });
    }
  }

  return {
    async authorization({ forceRefresh, signal }) {
      if (!forceRefresh && cached && cached.expiresAt > now()) return `Bearer ${cached.value}`;
      key ??= await load();
      const iat = Math.floor(now() / 1000);
      const assertion = await new SignJWT({ scope: DIRECTORY_SCOPES.join(' ') })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(key.account.private_key_id ? { kid: key.account.private_key_id } : {}) })
        .setIssuer(key.account.client_email)
        .setSubject(config.adminSubject)
        .setAudience(key.account.token_uri)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ASSERTION_LIFETIME_S)
        .sign(key.signingKey);
      const timeout = AbortSignal.timeout(deps.requestTimeoutMs);
      let response: Response;
      let body: unknown;
      try {
        response = await deps.fetch(key.account.token_uri, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        // A body that is not JSON is judged by the status below (`HTTP 502`), like any refusal.
        body = await response.json().catch(() => undefined);
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new RetryableConnectorError(`${label}: Google token endpoint unreachable`, { sourceId: deps.sourceId, cause: error });
      }
      const ok = tokenResponse.safeParse(body);
      if (response.ok && ok.success) {
        cached = { value: ok.data.access_token, expiresAt: cachedTokenExpiry(now(), ok.data.expires_in) };
        return `Bearer ${cached.value}`;
      }
      const failed = tokenError.safeParse(body);
      // Blanked before it is cut short, so that no part of the assertion is left either.
      const text = failed.success ? withoutSecrets(`${failed.data.error}${failed.data.error_description ? `: ${failed.data.error_description}` : ''}`, [assertion]).slice(0, 400) : `HTTP ${response.status}`;
      if (response.status === 429 || response.status >= 500) {
        throw new RetryableConnectorError(`${label}: Google token endpoint answered ${response.status}: ${text}`, { sourceId: deps.sourceId });
      }
      throw new ConnectorError('connector_auth', `${label}: Google refused the service account (acting as ${config.adminSubject}): ${text}`, { sourceId: deps.sourceId });
    },
  };
}
