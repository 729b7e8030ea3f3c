import { z } from 'zod';
import { envName, pulledSourceFields } from '../../src/connector/source-config-fields.js';
import { retryOptions } from '../shared/retry-options.js';

export const entraSourceConfig = z
  .object({
    ...pulledSourceFields,
    kind: z.literal('entra'),
    tenantId: z.string().min(1),
    clientId: z.string().min(1),
    clientSecretEnv: envName.optional(),
    certificate: z.object({ privateKeyEnv: envName, thumbprintSha256: z.string().min(1) }).strict().optional(),
    /** Default `https://login.microsoftonline.com`; another host is trusted as a known authority. */
    authorityHost: z.url().default('https://login.microsoftonline.com'),
    graphUrl: z.url().default('https://graph.microsoft.com/v1.0'),
    /** Only (transitive) members of these groups, by object id or display name. */
    scopeGroups: z.array(z.string()).default([]),
    /** Retries of throttled and failed Graph requests (all fields optional; see `retryOptions`). */
    retry: retryOptions.prefault({}),
  })
  .strict()
  .refine((c) => c.clientSecretEnv !== undefined || c.certificate !== undefined, {
    message: 'needs clientSecretEnv or certificate',
    path: ['clientSecretEnv'],
  });

export type EntraSourceConfig = z.infer<typeof entraSourceConfig>;
