import { AuthError, ConfidentialClientApplication, LogLevel, ServerError, type Configuration, type INetworkModule } from '@azure/msal-node';
import { ConnectorError, RetryableConnectorError } from '../../src/connector/errors.js';
import type { TokenProvider } from '../shared/http-client.js';
import { withoutSecrets } from '../shared/without-secrets.js';
import type { EntraSourceConfig } from './config.js';

const PUBLIC_CLOUD = 'https://login.microsoftonline.com';

export interface MsalTokenProviderDeps {
  env: Readonly<Record<string, string | undefined>>;
  sourceId: string;
  /** MSAL's HTTP client; default MSAL's own. Tests pass one that reaches a local fake. */
  msalNetworkClient?: INetworkModule | undefined;
}

/**
 * Client-credentials tokens for Microsoft Graph from MSAL (which caches them until expiry).
 * The scope is `<graphUrl origin>/.default`; a non-default authority host is passed as a known
 * authority so MSAL trusts it without instance discovery.
 */
export function createMsalTokenProvider(config: EntraSourceConfig, deps: MsalTokenProviderDeps): TokenProvider {
  const scope = `${new URL(config.graphUrl).origin}/.default`;
  let app: ConfidentialClientApplication | undefined;

  return {
    async authorization({ forceRefresh }) {
      app ??= new ConfidentialClientApplication(msalConfiguration(config, deps));
      let result;
      try {
        result = await app.acquireTokenByClientCredential({ scopes: [scope], skipCache: forceRefresh });
      } catch (error) {
        throw translateMsalError(error, deps.sourceId, [clientSecret(config, deps)]);
      }
      if (!result?.accessToken) {
        throw new ConnectorError('connector_auth', `source "${deps.sourceId}": Entra ID returned no access token`, { sourceId: deps.sourceId });
      }
      return `Bearer ${result.accessToken}`;
    },
  };
}

function msalConfiguration(config: EntraSourceConfig, deps: MsalTokenProviderDeps): Configuration {
  const host = config.authorityHost.replace(/\/+$/, '');
  const auth: Configuration['auth'] = { clientId: config.clientId, authority: `${host}/${config.tenantId}` };
  if (new URL(host).origin !== PUBLIC_CLOUD) auth.knownAuthorities = [new URL(host).host];
  if (config.certificate) {
    auth.clientCertificate = {
      thumbprintSha256: config.certificate.thumbprintSha256.replace(/:/g, '').toLowerCase(),
      privateKey: requireEnv(deps, config.certificate.privateKeyEnv),
    };
  } else if (config.clientSecretEnv !== undefined) {
    auth.clientSecret = requireEnv(deps, config.clientSecretEnv);
  }
  return {
    auth,
    system: {
      // MSAL logs nothing of ours: no PII, errors only, and no sink (the connector reports errors).
      loggerOptions: { piiLoggingEnabled: false, logLevel: LogLevel.Error, loggerCallback: () => undefined },
      ...(deps.msalNetworkClient ? { networkClient: deps.msalNetworkClient } : {}),
    },
  };
}

function requireEnv(deps: MsalTokenProviderDeps, name: string): string {
  const value = deps.env[name];
  if (value === undefined || value === '') {
    throw new ConnectorError('connector_config', `source "${deps.sourceId}": environment variable ${name} is not set`, { sourceId: deps.sourceId });
  }
  return value;
}

/** The client secret, to keep out of messages; none with a certificate (its assertion is a JWT, blanked as one). */
function clientSecret(config: EntraSourceConfig, deps: MsalTokenProviderDeps): string | undefined {
  return config.clientSecretEnv === undefined ? undefined : deps.env[config.clientSecretEnv];
}

/**
 * MSAL's errors → coded ones. The AADSTS text is kept (first sentence block, no trace ids), with
 * `secrets` (and any JWT) blanked should the token endpoint quote the request.
 */
function translateMsalError(error: unknown, sourceId: string, secrets: ReadonlyArray<string | undefined> = []): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const label = `source "${sourceId}"`;
  if (error instanceof ServerError) {
    const text = withoutSecrets(aadText(error.errorMessage), secrets);
    const status = error.status;
    if (status === 429 || (status !== undefined && status >= 500)) {
      return new RetryableConnectorError(`${label}: Entra ID token endpoint answered ${status}: ${text}`, { sourceId, cause: error });
    }
    return new ConnectorError('connector_auth', `${label}: Entra ID refused the client credentials: ${error.errorCode}: ${text}`, { sourceId, cause: error });
  }
  if (error instanceof AuthError) {
    // Client-side failures: unreachable token endpoint, an unreadable certificate key, …
    if (/network|fetch|timeout/i.test(error.errorCode)) {
      return new RetryableConnectorError(`${label}: Entra ID token endpoint unreachable: ${error.errorCode}`, { sourceId, cause: error });
    }
    return new ConnectorError('connector_auth', `${label}: could not obtain an Entra ID token: ${error.errorCode}: ${withoutSecrets(aadText(error.errorMessage), secrets)}`, {
      sourceId,
      cause: error,
    });
  }
  return new RetryableConnectorError(`${label}: Entra ID token request failed: ${withoutSecrets(error instanceof Error ? error.message : String(error), secrets)}`, { sourceId, cause: error });
}

/**
 * MSAL's `Error(s): 7000215 - Timestamp: … - Description: AADSTS7000215: Invalid client secret
 * provided. … Trace ID: … - Correlation ID: …` → `AADSTS7000215: Invalid client secret provided. …`.
 */
function aadText(message: string): string {
  const described = /Description:\s*([\s\S]*)$/.exec(message)?.[1] ?? message;
  return (described.split(/\s*(?:Trace ID:| - Correlation ID:)/)[0] ?? '').trim().slice(0, 400);
}
