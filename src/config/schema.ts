import { z } from 'zod';
import { PULLED_SOURCE_CONFIGS } from '../../connectors/registry.js';
import { attributeName, attributeOverrides, envName, isoDuration, precedence, sourceId } from '../connector/source-config-fields.js';
import { ROLES } from '../domain/roles.js';
import { checkRules } from './rule-checks.js';
import type { RoleRule } from '../domain/role-rules.js';
import { consoleConfig } from '../console/config.js';

const scimSourceConfig = z
  .object({
    id: sourceId,
    kind: z.literal('scim'),
    /** Env var holding the bearer token the IdP presents. More tokens: `idsync tokens create --source`. */
    tokenEnv: envName.optional(),
    precedence,
    /**
     * An ISO-8601 duration such as `PT2H`: the source is `stale` when its IdP has sent no request
     * for longer (Entra ID's provisioning cycle runs every 40 minutes). Absent: silence is not a fault.
     */
    expectActivityWithin: isoDuration.optional(),
    /** Attributes for rules beyond the enterprise extension's: idsync name → SCIM attribute (`manager.value`). */
    attributes: attributeOverrides.optional(),
  })
  .strict();

const csvSourceConfig = z
  .object({ id: sourceId, kind: z.literal('csv'), precedence, attributes: attributeOverrides.optional() })
  .strict();

const sourceConfig = z.discriminatedUnion('kind', [
  scimSourceConfig,
  ...PULLED_SOURCE_CONFIGS,
  csvSourceConfig,
]);

const RULE_KINDS = ['group', 'appRole', 'attribute'] as const;

/**
 * One rule: a source (`*` for every source) and exactly one of `group`, `appRole` or `attribute`
 * (with `equals` or `in`). One object checked by hand rather than a union of three, so that a
 * mistake is named by its path ("needs equals or in") instead of "Invalid input".
 */
const roleRule = z
  .object({
    /** A source id, or `*` for every source. */
    source: z.union([sourceId, z.literal('*')]),
    /** A group's display name or external id (for LDAP the cn or the DN). */
    group: z.string().min(1).optional(),
    /** A SCIM `roles[].value` pushed for the user (Entra ID app roles). */
    appRole: z.string().min(1).optional(),
    /** An idsync attribute name (`department`), with `equals` or `in`. */
    attribute: attributeName.optional(),
    equals: z.string().min(1).optional(),
    in: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const kinds = RULE_KINDS.filter((k) => r[k] !== undefined);
    if (kinds.length === 0) ctx.addIssue({ code: 'custom', message: 'a rule needs one of group, appRole or attribute' });
    if (kinds.length > 1) ctx.addIssue({ code: 'custom', message: `a rule has one of group, appRole or attribute, not ${kinds.join(' and ')}` });
    if (r.attribute !== undefined) {
      if (r.equals === undefined && r.in === undefined) ctx.addIssue({ code: 'custom', path: ['attribute'], message: 'an attribute rule needs equals or in' });
      if (r.equals !== undefined && r.in !== undefined) ctx.addIssue({ code: 'custom', path: ['in'], message: 'either equals or in, not both' });
    } else {
      for (const k of ['equals', 'in'] as const) if (r[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: `${k} goes with attribute` });
    }
  })
  .transform((r): RoleRule => {
    if (r.group !== undefined) return { source: r.source, group: r.group };
    if (r.appRole !== undefined) return { source: r.source, appRole: r.appRole };
    return r.in !== undefined ? { source: r.source, attribute: r.attribute as string, in: r.in } : { source: r.source, attribute: r.attribute as string, equals: r.equals as string };
  });

const workspaceConfig = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, "-" or "_"'),
    name: z.string().min(1),
    roles: z
      .object({
        admin: z.array(roleRule).default([]),
        editor: z.array(roleRule).default([]),
        viewer: z.array(roleRule).default([]),
      })
      .strict()
      .default({ admin: [], editor: [], viewer: [] }),
  })
  .strict();

const lifecycleConfig = z
  .object({
    externalValidity: isoDuration.default('P90D'),
    maxExtension: isoDuration.default('P180D'),
    graceAfterDeprovision: isoDuration.default('P30D'),
    inactivity: isoDuration.default('P180D'),
    remindBefore: isoDuration.default('P14D'),
    inviteValidity: isoDuration.default('P14D'),
  })
  .strict();

const retentionConfig = z
  .object({
    /** How long the provisioning log keeps a SCIM request (`GET /sources/{id}/requests`). Default 30 days. */
    requestLog: isoDuration.default('P30D'),
  })
  .strict();

const webhookConfig = z
  .object({
    url: z.url(),
    secretEnv: envName,
    events: z.array(z.string()).default(['*']),
  })
  .strict();

const httpConfig = z
  .object({
    /**
     * Take the client address (counted by the authentication-failure limit) from the last entry of
     * `X-Forwarded-For`, which the one proxy in front of idsync appends. Default false: the TCP peer.
     */
    trustProxy: z.boolean().default(false),
  })
  .strict();

export const configSchema = z
  .object({
    organization: z
      .object({ internalDomains: z.array(z.string().min(1)).default([]) })
      .strict()
      .default({ internalDomains: [] }),
    sources: z.array(sourceConfig).default([]),
    workspaces: z.array(workspaceConfig).default([]),
    lifecycle: lifecycleConfig.default(lifecycleConfig.parse({})),
    retention: retentionConfig.default(retentionConfig.parse({})),
    webhooks: z.array(webhookConfig).default([]),
    http: httpConfig.default({ trustProxy: false }),
    /** The web console at `/console/`. */
    console: consoleConfig.default({ operators: [] }),
  })
  .strict()
  .superRefine((config, ctx) => {
    const ids = new Set<string>();
    config.sources.forEach((s, i) => {
      if (ids.has(s.id)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'id'], message: `duplicate source id "${s.id}"` });
      ids.add(s.id);
    });
    const workspaceIds = new Set<string>();
    config.workspaces.forEach((w, i) => {
      if (workspaceIds.has(w.id))
        ctx.addIssue({ code: 'custom', path: ['workspaces', i, 'id'], message: `duplicate workspace id "${w.id}"` });
      workspaceIds.add(w.id);
      for (const role of ROLES) {
        w.roles[role].forEach((rule, j) => {
          if (rule.source !== '*' && !ids.has(rule.source))
            ctx.addIssue({
              code: 'custom',
              path: ['workspaces', i, 'roles', role, j, 'source'],
              message: `unknown source "${rule.source}"`,
            });
        });
      }
    });
    checkRules(config, ctx);
  });

export type Config = z.infer<typeof configSchema>;
export type SourceConfig = z.infer<typeof sourceConfig>;
