import { z } from 'zod';
import { envName, pulledSourceFields } from '../../src/connector/source-config-fields.js';
import { retryOptions } from '../shared/retry-options.js';

export const oktaSourceConfig = z
  .object({
    ...pulledSourceFields,
    kind: z.literal('okta'),
    orgUrl: z.url(),
    apiTokenEnv: envName.optional(),
    oauth: z
      .object({
        clientId: z.string().min(1),
        privateKeyEnv: envName,
        keyId: z.string().optional(),
        /**
         * Default users and groups. Add `okta.logs.read` (granted to the service app) for deltas to
         * remove users deleted in Okta; without it they wait for the full run, and each delta says so.
         */
        scopes: z.array(z.string()).default(['okta.users.read', 'okta.groups.read']),
      })
      .strict()
      .optional(),
    /** Group member lists read at once. Default 4. */
    concurrency: z.number().int().min(1).max(16).default(4),
    /** Retries of throttled and failed requests (all fields optional; see `retryOptions`). */
    retry: retryOptions.prefault({}),
  })
  .strict()
  .refine((c) => c.apiTokenEnv !== undefined || c.oauth !== undefined, {
    message: 'needs apiTokenEnv or oauth',
    path: ['apiTokenEnv'],
  });

export type OktaSourceConfig = z.infer<typeof oktaSourceConfig>;
