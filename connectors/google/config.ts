import { z } from 'zod';
import { envName, pulledSourceFields } from '../../src/config/common.js';

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
  })
  .strict();

export type GoogleSourceConfig = z.infer<typeof googleSourceConfig>;
