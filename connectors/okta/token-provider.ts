import { createPrivateKey } from 'node:crypto';
import { importJWK, importPKCS8, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { ConnectorError, RetryableConnectorError } from '../../src/connector/errors.js';
import type { TokenProvider } from '../shared/http-client.js';
import type { OktaSourceConfig } from './config.js';
import { cachedTokenExpiry } from '../shared/token-expiry.js';
import { withoutSecrets } from '../shared/without-secrets.js';

export interface OktaTokenProviderDeps {
  env: Readonly<Record<string, string | undefined>>;
  sourceId: string;
  fetch: typeof fetch;
  now?: () => number;
}

/**
 * `SSWS <api token>`, or an OAuth 2.0 access token from the org authorization server obtained
 * with client credentials and `private_key_jwt`
 * ([Okta: service app](https://developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp/)).
 */
export function createOktaTokenProvider(config: OktaSourceConfig, deps: OktaTokenProviderDeps): TokenProvider {
  const oauth = config.oauth;
  if (!oauth) {
    const name = config.apiTokenEnv as string;
    return {
      async authorization() {
        return `SSWS ${requireEnv(deps, name)}`;
      },
    };
  }
  const now = deps.now ?? Date.now;
  const orgUrl = config.orgUrl.replace(/\/+$/, '');
  const tokenEndpoint = `${orgUrl}/oauth2/v1/token`;
  let configuration: oidc.Configuration | undefined;
  let cached: { value: string; expiresAt: number } | undefined;

  async function configure(): Promise<oidc.Configuration> {
    const key = await importSigningKey(requireEnv(deps, (oauth as NonNullable<typeof oauth>).privateKeyEnv), oauth?.keyId, deps.sourceId);
    const auth = oidc.PrivateKeyJwt(key, {
      // Okta wants the token endpoint as the assertion's audience; openid-client puts the issuer.
      [oidc.modifyAssertion]: (_header, payload) => {
        payload['aud'] = tokenEndpoint;
      },
    });
    const c = new oidc.Configuration({ issuer: orgUrl, token_endpoint: tokenEndpoint }, (oauth as NonNullable<typeof oauth>).clientId, undefined, auth);
    c[oidc.customFetch] = deps.fetch;
    if (orgUrl.startsWith('http://')) oidc.allowInsecureRequests(c);
    return c;
  }

  return {
    async authorization({ forceRefresh }) {
      if (!forceRefresh && cached && cached.expiresAt > now()) return `Bearer ${cached.value}`;
      configuration ??= await configure();
      let response;
      try {
        response = await oidc.clientCredentialsGrant(configuration, { scope: oauth.scopes.join(' ') });
      } catch (error) {
        throw translateOAuthError(error, deps.sourceId);
      }
      cached = { value: response.access_token, expiresAt: cachedTokenExpiry(now(), response.expires_in) };
      return `Bearer ${cached.value}`;
    },
  };
}

/** A PEM (PKCS#8 or PKCS#1) or JWK private key, as the Okta admin console hands them out. */
async function importSigningKey(text: string, keyId: string | undefined, sourceId: string): Promise<oidc.PrivateKey> {
  try {
    if (text.trim().startsWith('{')) {
      const jwk = JSON.parse(text) as JWK;
      const alg = jwk.alg ?? (jwk.kty === 'EC' ? 'ES256' : 'RS256');
      const key = await importJWK(jwk, alg);
      if (key instanceof Uint8Array) throw new TypeError('a symmetric key cannot sign a client assertion');
      const kid = keyId ?? jwk.kid;
      return kid === undefined ? { key } : { key, kid };
    }
    const keyObject = createPrivateKey(text);
    const alg = keyObject.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
    const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = await importPKCS8(pkcs8, alg);
    return keyId === undefined ? { key } : { key, kid: keyId };
  } catch {
    // The key's text never goes into the message.
    throw new ConnectorError('connector_config', `source "${sourceId}": the Okta private key is not a PEM or JWK private key`, { sourceId });
  }
}

function requireEnv(deps: OktaTokenProviderDeps, name: string): string {
  const value = deps.env[name];
  if (value === undefined || value === '') {
    throw new ConnectorError('connector_config', `source "${deps.sourceId}": environment variable ${name} is not set`, { sourceId: deps.sourceId });
  }
  return value;
}

/** openid-client's errors → coded ones, keeping Okta's `error` and `error_description`. */
function translateOAuthError(error: unknown, sourceId: string): ConnectorError {
  const label = `source "${sourceId}"`;
  if (error instanceof oidc.ResponseBodyError) {
    // A client assertion the endpoint quotes back is blanked (as a JWT) before the text is cut short.
    const text = withoutSecrets(`${error.error}${error.error_description ? `: ${error.error_description}` : ''}`, []).slice(0, 400);
    if (error.status === 429 || error.status >= 500) {
      return new RetryableConnectorError(`${label}: Okta token endpoint answered ${error.status}: ${text}`, { sourceId, cause: error });
    }
    return new ConnectorError('connector_auth', `${label}: Okta refused the client credentials: ${text}`, { sourceId, cause: error });
  }
  if (error instanceof oidc.ClientError) {
    return new ConnectorError('connector_auth', `${label}: Okta token request failed: ${error.code ?? error.message}`, { sourceId, cause: error });
  }
  return new RetryableConnectorError(`${label}: Okta token endpoint unreachable: ${error instanceof Error ? error.message : String(error)}`, { sourceId, cause: error });
}
