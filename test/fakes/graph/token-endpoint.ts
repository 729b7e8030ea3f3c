import { randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { FakeRequest, FakeResponse } from '../shared/http-fake.js';
import { parseForm } from '../shared/http-fake.js';

export interface AadAppOptions {
  tenantId: string;
  clientId: string;
  /** Accepted `client_secret`. */
  clientSecret?: string | undefined;
  /** Accepted certificate: the assertion must verify with `publicKey` and carry `x5t#S256`. */
  certificate?: { publicKey: KeyObject; thumbprintSha256: string } | undefined;
  /** The host MSAL believes it talks to; `aud` of client assertions is its token endpoint. */
  authorityHost: string;
  /** The `/.default` scope the app may ask for (the Graph fake's origin). */
  resource: string;
  tokenLifetimeSeconds: number;
}

/** The Microsoft identity platform's token, discovery and metadata endpoints, with AADSTS errors. */
export class AadTokenEndpoint {
  readonly tokens = new Map<string, number>();
  readonly #o: AadAppOptions;

  constructor(options: AadAppOptions) {
    this.#o = options;
  }

  handles(path: string): boolean {
    return /^\/[^/]+\/(oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration)$/.test(path) || path === '/common/discovery/instance';
  }

  isTokenRequest(path: string): boolean {
    return path.endsWith('/oauth2/v2.0/token');
  }

  /** Is this bearer token one we issued and still valid? */
  valid(token: string): boolean {
    const expires = this.tokens.get(token);
    return expires !== undefined && expires > Date.now();
  }

  async handle(request: FakeRequest): Promise<FakeResponse> {
    const path = request.url.pathname;
    const host = this.#o.authorityHost;
    if (path === '/common/discovery/instance') {
      const h = new URL(host).host;
      return {
        status: 200,
        body: {
          tenant_discovery_endpoint: `${host}/${this.#o.tenantId}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [{ preferred_network: h, preferred_cache: h, aliases: [h] }],
        },
      };
    }
    const tenant = path.split('/')[1] ?? '';
    if (path.endsWith('/openid-configuration')) {
      return {
        status: 200,
        body: {
          token_endpoint: `${host}/${tenant}/oauth2/v2.0/token`,
          authorization_endpoint: `${host}/${tenant}/oauth2/v2.0/authorize`,
          device_authorization_endpoint: `${host}/${tenant}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${host}/${tenant}/oauth2/v2.0/logout`,
          jwks_uri: `${host}/${tenant}/discovery/v2.0/keys`,
          issuer: `${host}/${tenant}/v2.0`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        },
      };
    }
    return this.#token(request, tenant);
  }

  async #token(request: FakeRequest, tenant: string): Promise<FakeResponse> {
    const o = this.#o;
    const form = parseForm(request.body);
    if (tenant !== o.tenantId) {
      return aadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    const clientId = form.get('client_id') ?? '';
    if (clientId !== o.clientId) {
      return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
    }
    const scopes = (form.get('scope') ?? '').split(' ');
    if (!scopes.includes(`${o.resource}/.default`)) {
      return aadError(400, 'invalid_resource', 500011, `The resource principal named ${scopes.join(' ')} was not found in the tenant named ${tenant}.`);
    }
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (o.clientSecret === undefined || !sameText(secret, o.clientSecret)) {
        return aadError(
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${o.clientId}'.`,
        );
      }
    } else if (assertion !== null) {
      if (!(await this.#assertionValid(assertion, tenant))) {
        return aadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
      }
    } else {
      return aadError(401, 'invalid_client', 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
    }
    const token = `fake-graph-${randomUUID()}`;
    this.tokens.set(token, Date.now() + o.tokenLifetimeSeconds * 1000);
    return { status: 200, body: { token_type: 'Bearer', expires_in: o.tokenLifetimeSeconds, ext_expires_in: o.tokenLifetimeSeconds, access_token: token } };
  }

  async #assertionValid(assertion: string, tenant: string): Promise<boolean> {
    const certificate = this.#o.certificate;
    if (!certificate) return false;
    try {
      const header = decodeProtectedHeader(assertion);
      const expected = Buffer.from(certificate.thumbprintSha256, 'hex').toString('base64url');
      if (header['x5t#S256'] !== expected) return false;
      await jwtVerify(assertion, certificate.publicKey, {
        algorithms: ['PS256', 'RS256'],
        audience: `${this.#o.authorityHost}/${tenant}/oauth2/v2.0/token`,
        issuer: this.#o.clientId,
        subject: this.#o.clientId,
        clockTolerance: 300, // the identity platform allows five minutes of skew
      });
      return true;
    } catch {
      return false;
    }
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The identity platform's error body, trace lines included. */
function aadError(status: number, error: string, code: number, text: string): FakeResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}
