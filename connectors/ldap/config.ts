import { z } from 'zod';
import { attributeName, envName, pulledSourceFields } from '../../src/connector/source-config-fields.js';
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

/**
 * Attribute names in the directory for each field of a `SourceUser` (presets fill the defaults),
 * and for any other idsync attribute rules may match on (`department: departmentNumber`), beside
 * the ones mapped by default (`domain/source-attribute-views.ts`).
 */
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
  .catchall(z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'must be an LDAP attribute name'))
  .superRefine((map, ctx) => {
    for (const key of Object.keys(map)) {
      const problem = attributeName.safeParse(key);
      if (!problem.success) ctx.addIssue({ code: 'custom', path: [key], message: `attribute name ${problem.error.issues[0]?.message ?? 'is invalid'}` });
    }
  });

/** The user fields `attributes:` may remap; its other keys are attributes for rules. */
export const LDAP_USER_FIELDS = ['userName', 'email', 'givenName', 'familyName', 'displayName', 'company', 'externalId'] as const;

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
