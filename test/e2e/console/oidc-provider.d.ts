/** The part of oidc-provider's API these tests use (the package ships no types). */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface Interaction {
    uid: string;
    prompt: { name: string };
    params: Record<string, unknown>;
  }
  interface Grant {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }
  export default class Provider {
    constructor(issuer: string, configuration: {
      clients: Array<Record<string, unknown>>;
      findAccount(ctx: unknown, sub: string): Promise<{ accountId: string; claims(): Promise<Record<string, unknown>> } | undefined>;
      claims: Record<string, string[] | null>;
      features: Record<string, unknown>;
      interactions: { url(ctx: unknown, interaction: Interaction): string };
      cookies: { keys: string[] };
      pkce: { required(): boolean };
      ttl: Record<string, number>;
    });
    Grant: new (options: { accountId: string; clientId: string }) => Grant;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  }
}
