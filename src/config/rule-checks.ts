import type { z } from 'zod';
import { viewKnows } from '../domain/account-attributes.js';
import { ROLES } from '../domain/roles.js';
import { overrideProblem } from '../domain/source-attribute-views.js';
import { ruleAttributeMapping, sourceAttributeView } from './attribute-views.js';
import type { Config } from './schema.js';

/**
 * Rules that can never match, named by their path as at start-up: an attribute no source it names
 * maps, an app role on a source that cannot push one (only SCIM sources carry `roles`); and
 * `attributes:` entries the source's connector does not store.
 */
export function checkRules(config: Config, ctx: z.RefinementCtx): void {
  const views = new Map(config.sources.map((s) => [s.id, { kind: s.kind, view: sourceAttributeView(s) }]));
  config.sources.forEach((source, i) => {
    for (const [name, directoryAttribute] of Object.entries(ruleAttributeMapping(source))) {
      const problem = overrideProblem(source.kind, directoryAttribute);
      if (problem) ctx.addIssue({ code: 'custom', path: ['sources', i, 'attributes', name], message: `cannot map "${directoryAttribute}": ${problem}` });
    }
  });
  const scimSources = config.sources.filter((s) => s.kind === 'scim').map((s) => s.id);
  config.workspaces.forEach((w, i) => {
    for (const role of ROLES) {
      w.roles[role].forEach((rule, j) => {
        const path = ['workspaces', i, 'roles', role, j];
        const named = rule.source === '*' ? undefined : views.get(rule.source);
        if (rule.source !== '*' && !named) return; // an unknown source is reported on its own
        if ('appRole' in rule) {
          if (named && named.kind !== 'scim')
            ctx.addIssue({ code: 'custom', path: [...path, 'appRole'], message: `source "${rule.source}" is of kind ${named.kind}: app roles come only from SCIM sources` });
          else if (!named && scimSources.length === 0)
            ctx.addIssue({ code: 'custom', path: [...path, 'appRole'], message: 'no SCIM source is configured: app roles come only from SCIM sources' });
        } else if ('attribute' in rule) {
          if (named && !viewKnows(named.view, rule.attribute))
            ctx.addIssue({
              code: 'custom',
              path: [...path, 'attribute'],
              message: `source "${rule.source}" (${named.kind}) has no attribute "${rule.attribute}": it maps ${known(named.view)}; add it to that source's attributes`,
            });
          else if (!named && ![...views.values()].some((v) => viewKnows(v.view, rule.attribute)))
            ctx.addIssue({ code: 'custom', path: [...path, 'attribute'], message: `no source has an attribute "${rule.attribute}"; add it to a source's attributes` });
        }
      });
    }
  });
}

function known(view: { names: ReadonlyMap<string, { name: string }> }): string {
  const names = [...view.names.values()].map((n) => n.name);
  return names.length === 0 ? 'none' : names.join(', ');
}
