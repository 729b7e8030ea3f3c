import { attributeViews } from '../config/attribute-views.js';
import type { Config } from '../config/schema.js';
import type { WorkspaceRules } from '../domain/desired-memberships.js';
import { durationMs } from '../domain/duration.js';
import type { Db } from '../store/db.js';
import type { ReconcileContext } from './reconcile-people.js';

export function workspaceRules(config: Config): WorkspaceRules[] {
  return config.workspaces.map((w) => ({ id: w.id, roles: w.roles }));
}

/** True when some rule matches app roles or attributes, so accounts' attribute documents must be read. */
function rulesReadAttributes(workspaces: readonly WorkspaceRules[]): boolean {
  return workspaces.some((w) => Object.values(w.roles).some((rules) => rules.some((r) => !('group' in r))));
}

export function reconcileContext(db: Db, config: Config, now: () => Date = () => new Date()): ReconcileContext {
  const workspaces = workspaceRules(config);
  return {
    db,
    workspaces,
    attributeViews: attributeViews(config.sources),
    readAttributes: rulesReadAttributes(workspaces),
    internalDomains: config.organization.internalDomains,
    externalValidityMs: durationMs(config.lifecycle.externalValidity),
    now,
  };
}
