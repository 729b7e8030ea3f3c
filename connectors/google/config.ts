import { z } from 'zod';
import { envName, pulledSourceFields } from '../../src/connector/source-config-fields.js';
import { retryOptions } from '../shared/retry-options.js';

export const googleSourceConfig = z
  .object({
    ...pulledSourceFields,
    kind: z.literal('google'),
    customer: z.string().default('my_customer'),
    domain: z.string().optional(),
    /** The admin the service account impersonates (domain-wide delegation). */
    adminSubject: z.string().min(1),
    /** The service-account key file's JSON; its `token_uri` is honoured. */
    serviceAccountKeyEnv: envName,
    directoryUrl: z.url().default('https://admin.googleapis.com'),
    /** Group member lists read at once. Default 4. */
    concurrency: z.number().int().min(1).max(16).default(4),
    /** Retries of throttled and failed requests (all fields optional; see `retryOptions`). */
    retry: retryOptions.prefault({}),
  })
  .strict();

export type GoogleSourceConfig = z.infer<typeof googleSourceConfig>;
