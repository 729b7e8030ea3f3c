import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { z } from 'zod';
import type { ConsoleOidcConfig } from './config.js';
import { describeMethods, showsSecondFactor } from './mfa.js';
import type { SessionStore } from './session-store.js';

/** How long a person may take at the provider between `/console/login` and `/console/callback`. */
const FLOW_TTL_MS = 10 * 60_000;

const pendingFlow = z.object({ state: z.string(), nonce: z.string(), codeVerifier: z.string() });

/** The outcome of a callback: the provider's verified e-mail and methods, or why the sign-in is refused. */
export type SignInOutcome =
  | { ok: true; email: string }
  | { ok: false; status: number; title: string; reason: string; cause?: unknown };

export interface OidcSignInOptions {
  config: ConsoleOidcConfig;
  /** Where the provider sends the browser back (`console.oidc.redirectUrl`, or the daemon's URL + `/console/callback`). */
  redirectUrl: string;
  clientSecret: string | undefined;
  sessions: SessionStore;
}

/**
 * OpenID Connect sign-in: authorization code with PKCE (S256), `state` and `nonce` (openid-client).
 * The provider's metadata is read at the first sign-in, not at start, so an unreachable provider
 * does not stop the daemon, and is read again after a failure.
 */
export class OidcSignIn {
  private discovered: Promise<oidc.Configuration> | undefined;

  constructor(private readonly options: OidcSignInOptions) {}

  /** The provider's authorization URL, and the id of the flow to bind to the browser (a cookie). */
  async start(): Promise<{ url: URL; flowId: string }> {
    const provider = await this.provider();
    const flow = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    const flowId = randomBytes(32).toString('base64url');
    await this.options.sessions.putFlow(flowId, flow, FLOW_TTL_MS);
    const url = oidc.buildAuthorizationUrl(provider, {
      redirect_uri: this.options.redirectUrl,
      scope: 'openid email profile',
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(flow.codeVerifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    return { url, flowId };
  }

  /** Completes the sign-in the provider sent back (`query` is the callback's query string). */
  async finish(flowId: string | undefined, query: string): Promise<SignInOutcome> {
    const flow = pendingFlow.safeParse(flowId === undefined ? undefined : await this.options.sessions.takeFlow(flowId));
    if (!flow.success) {
      return { ok: false, status: 400, title: 'Sign-in expired', reason: 'This sign-in was not started in this browser, was already used, or took longer than 10 minutes. Start again.' };
    }
    const params = new URLSearchParams(query);
    const providerError = params.get('error');
    if (providerError !== null) {
      const description = params.get('error_description');
      return { ok: false, status: 403, title: 'Sign-in refused by your identity provider', reason: `${providerError}${description ? `: ${description}` : ''}` };
    }
    const currentUrl = new URL(this.options.redirectUrl);
    currentUrl.search = query;
    let claims: oidc.IDToken | undefined;
    let identity: Record<string, unknown> | undefined;
    try {
      const provider = await this.provider();
      const tokens = await oidc.authorizationCodeGrant(provider, currentUrl, {
        pkceCodeVerifier: flow.data.codeVerifier,
        expectedState: flow.data.state,
        expectedNonce: flow.data.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
      identity = claims;
      // Providers that follow the core spec to the letter put the e-mail only in the UserInfo
      // answer, not in an ID token obtained with a code; that answer is bound to the same subject.
      if (claims && typeof claims['email'] !== 'string') identity = await oidc.fetchUserInfo(provider, tokens.access_token, claims.sub);
    } catch (error) {
      return { ok: false, status: 502, title: 'Sign-in failed', reason: 'The answer from the identity provider could not be verified. Start again; if it keeps failing, tell your IT team.', cause: error };
    }
    if (!claims) return { ok: false, status: 502, title: 'Sign-in failed', reason: 'The identity provider sent no ID token.' };
    const email = typeof identity?.['email'] === 'string' ? identity['email'].toLowerCase() : undefined;
    // Entra ID sends no email_verified; its optional claim xms_edov says the domain owner verified it.
    const verified = identity?.['email_verified'] === true || identity?.['xms_edov'] === true;
    if (!email || !verified) {
      return { ok: false, status: 403, title: 'Sign-in refused: no verified e-mail address', reason: 'Your identity provider did not assert a verified e-mail address, and the console knows people by their address.' };
    }
    if (this.options.config.requireMfa && !showsSecondFactor(claims['amr'])) {
      return {
        ok: false,
        status: 403,
        title: 'Sign-in refused: multi-factor authentication is required',
        reason: `This console requires a second factor (for example an authenticator app or a security key), and ${describeMethods(claims['amr'])}. Sign in again with your second factor; if you have none, ask your IT team to set one up.`,
      };
    }
    return { ok: true, email };
  }

  private provider(): Promise<oidc.Configuration> {
    const { config, clientSecret } = this.options;
    this.discovered ??= oidc
      .discovery(new URL(config.issuer), config.clientId, clientSecret, clientSecret ? oidc.ClientSecretPost(clientSecret) : oidc.None(), {
        // Plain HTTP only to a provider on this machine (a test, a local Keycloak): anywhere else it is refused.
        ...(isLoopbackHttp(config.issuer) ? { execute: [oidc.allowInsecureRequests] } : {}),
      })
      .catch((error: unknown) => {
        this.discovered = undefined;
        throw error;
      });
    return this.discovered;
  }
}

function isLoopbackHttp(issuer: string): boolean {
  const url = new URL(issuer);
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}
