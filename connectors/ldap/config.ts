import { z } from 'zod';
import { envName, pulledSourceFields } from '../../src/config/common.js';
import { configuredFilter, InvalidFilterError } from './configured-filter.js';

/** A configured search filter: one RFC 4515 filter, so that deltas can combine it (`configured-filter.ts`). */
const searchFilter = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    try {
      configuredFilter(text);
    } catch (error) {
      if (!(error instanceof InvalidFilterError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  });

const searchScope = z
  .object({
    baseDn: z.string().min(1),
    filter: searchFilter.optional(),
    scope: z.enum(['base', 'one', 'sub']).default('sub'),
  })
  .strict();

/** Attribute names in the directory for each field of a `SourceUser`; presets fill the defaults. */
const attributeMap = z
  .object({
    userName: z.string(),
    email: z.string(),
    givenName: z.string(),
    familyName: z.string(),
    displayName: z.string(),
    company: z.string(),
    externalId: z.string(),
  })
  .partial()
  .strict();

export const ldapSourceConfig = z
  .object({
    ...pulledSourceFields,
    kind: z.literal('ldap'),
    url: z.string().regex(/^ldaps?:\/\//, 'must start with ldap:// or ldaps://'),
    startTls: z.boolean().default(false),
    tls: z
      .object({
        caFile: z.string().optional(),
        certFile: z.string().optional(),
        keyFile: z.string().optional(),
        rejectUnauthorized: z.boolean().default(true),
      })
      .strict()
      .optional(),
    bindDn: z.string().optional(),
    passwordEnv: envName.optional(),
    preset: z.enum(['openldap', 'activedirectory']).default('openldap'),
    users: searchScope,
    groups: searchScope.optional(),
    attributes: attributeMap.optional(),
    connectTimeoutMs: z.number().int().positive().default(10_000),
    timeoutMs: z.number().int().positive().default(60_000),
    /**
     * Deltas by time (`modifyTimestamp`, AD `whenChanged`) start this long before the previous
     * run's start, covering clock skew between idsync and the directory and writes still being
     * committed when that run began. Entries re-read in the overlap are unchanged and cost
     * nothing downstream (the engine diffs by content hash). Default 60 000 (1 min).
     */
    deltaOverlapMs: z.number().int().nonnegative().default(60_000),
  })
  .strict();

export type LdapSourceConfig = z.infer<typeof ldapSourceConfig>;
