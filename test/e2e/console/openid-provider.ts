/**
 * A real OpenID provider for the console's tests: `oidc-provider` (the certified Node
 * implementation) on a loopback port, with one confidential client and an interaction that signs in
 * whoever the test names next — with a second factor (`amr: ["pwd","otp","mfa"]`) or without (`["pwd"]`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestLogin {
  email: string;
  mfa: boolean;
}

export interface TestOpenIdProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who the next interaction signs in. */
  nextLogin: TestLogin;
  /** The `amr` of every sign-in completed, in order. */
  completed: Array<{ email: string; amr: string[] }>;
  close(): Promise<void>;
}

export async function startOpenIdProvider(options: { port: number; redirectUri: string }): Promise<TestOpenIdProvider> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const clientId = 'idsync-console';
  const clientSecret = 'console-client-secret-for-tests';
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [options.redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post' }],
    async findAccount(_ctx, sub) {
      return { accountId: sub, claims: async () => ({ sub, email: sub, email_verified: true, name: sub.split('@')[0] }) };
    },
    // amr is in no default claim set: bound to the openid scope, every ID token carries it (as Entra's and Okta's do).
    claims: { acr: null, auth_time: null, iss: null, sid: null, openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['console-test-cookie-key'] },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
  });
  const state: TestOpenIdProvider = {
    issuer,
    clientId,
    clientSecret,
    nextLogin: { email: 'nobody@example.com', mfa: true },
    completed: [],
    close: async () => {},
  };
  const handler = provider.callback();
  const server: Server = createServer((req, res) => {
    if (!req.url?.startsWith('/interaction/')) return void handler(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      const who = state.nextLogin;
      const grant = new provider.Grant({ accountId: who.email, clientId });
      grant.addOIDCScope('openid email profile');
      const grantId = await grant.save();
      const amr = who.mfa ? ['pwd', 'otp', 'mfa'] : ['pwd'];
      state.completed.push({ email: who.email, amr });
      const login = details.prompt.name === 'login' ? { login: { accountId: who.email, amr } } : {};
      await provider.interactionFinished(req, res, { ...login, consent: { grantId } }, { mergeWithLastSubmission: false });
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', () => resolve()));
  state.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return state;
}
