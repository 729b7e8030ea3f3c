import type { Config } from '../config/schema.js';
import type { WorkspaceRules } from '../domain/desired-memberships.js';
import { durationMs } from '../domain/duration.js';
import type { Db } from '../store/db.js';
import type { ReconcileContext } from './reconcile-people.js';

export function workspaceRules(config: Config): WorkspaceRules[] {
  return config.workspaces.map((w) => ({ id: w.id, roles: w.roles }));
}

export function reconcileContext(db: Db, config: Config, now: () => Date = () => new Date()): ReconcileContext {
  return {
    db,
    workspaces: workspaceRules(config),
    internalDomains: config.organization.internalDomains,
    externalValidityMs: durationMs(config.lifecycle.externalValidity),
    now,
  };
}
