import { z } from 'zod';
import { envName } from '../connector/source-config-fields.js';

/**
 * `console.oidc`: sign-in through an OpenID provider (authorization code with PKCE S256).
 * Absent: the console offers sign-in with an admin or person token (the quick start).
 */
const consoleOidcConfig = z
  .object({
    /** The provider's issuer URL; its `/.well-known/openid-configuration` is read at start. */
    issuer: z.url(),
    clientId: z.string().min(1),
    /** Env var holding the client secret. Absent: a public client (PKCE only). */
    clientSecretEnv: envName.optional(),
    /** Where the provider sends the browser back. Default: the daemon's own URL + `/console/callback`. */
    redirectUrl: z.url().optional(),
    /** Refuse a sign-in whose ID token's `amr` shows no second factor. Default false. */
    requireMfa: z.boolean().default(false),
  })
  .strict();

export const consoleConfig = z
  .object({
    oidc: consoleOidcConfig.optional(),
    /** E-mail addresses (compared case-insensitively) that act with the system's rights in the console. */
    operators: z.array(z.email()).default([]),
    /**
     * Env var holding a secret that keys session ids in Redis (HMAC), so a copy of Redis holds no
     * usable session. Absent: ids are hashed without a key (still unguessable, 256 random bits).
     */
    sessionSecretEnv: envName.optional(),
  })
  .strict();

export type ConsoleConfig = z.infer<typeof consoleConfig>;
export type ConsoleOidcConfig = z.infer<typeof consoleOidcConfig>;
