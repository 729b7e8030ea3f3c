import { createHash } from 'node:crypto';
import { z } from 'zod';

/** A configured webhook endpoint (config `webhooks[]`). */
export interface WebhookTarget {
  /** Stable id derived from the URL: part of every delivery id. */
  id: string;
  url: string;
  secretEnv: string;
  /** Event types: exact (`membership.granted`), a family (`membership.*`, `person.*`), or `*` for all. */
  events: readonly string[];
}

export function webhookTargets(webhooks: ReadonlyArray<{ url: string; secretEnv: string; events: readonly string[] }>): WebhookTarget[] {
  return webhooks.map((w) => ({ id: `wh${createHash('sha256').update(w.url).digest('hex').slice(0, 12)}`, url: w.url, secretEnv: w.secretEnv, events: w.events }));
}

/**
 * A target as a metric label: the endpoint's origin and path, never its query or user info (where
 * a secret could sit). Bounded by the config's `webhooks`.
 */
export function webhookTargetLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'invalid';
  }
}

export function wants(target: WebhookTarget, type: string): boolean {
  return target.events.some((e) => e === '*' || e === type || (e.endsWith('.*') && type.startsWith(e.slice(0, -1))));
}

export const deliveryJobSchema = z.object({
  url: z.string(),
  secretEnv: z.string(),
  event: z.object({
    id: z.number().int(),
    type: z.string(),
    at: z.string(),
    personId: z.string().nullable(),
    workspaceId: z.string().nullable(),
    data: z.unknown(),
  }),
});
export type DeliveryJob = z.infer<typeof deliveryJobSchema>;
