import type { Config } from '../config/schema.js';
import { durationMs } from '../domain/duration.js';
import type { Db } from '../store/db.js';

/** What admin operations need: the store, the clock and the organisation's lifecycle policy. */
export interface AdminContext {
  db: Db;
  /** The running config: a rules preview replaces its rules and validates them against its sources. */
  config: Config;
  now: () => Date;
  internalDomains: readonly string[];
  /** `lifecycle.externalValidity`: how long an external person's new grant lasts. */
  externalValidityMs: number;
  /** `lifecycle.maxExtension`: the furthest from now a validity may be set. */
  maxExtensionMs: number;
  /** `lifecycle.inviteValidity`: how long an invite can be accepted. */
  inviteValidityMs: number;
  /** Publishes changes parked in `pending_changes` now rather than at the publisher's next relay. */
  relayChanges?: (() => Promise<unknown>) | undefined;
  /** Told the id of a token just revoked: every serving process's token cache drops it; resolves once they have been told. */
  tokenRevoked?: ((id: string) => Promise<void>) | undefined;
}

export function adminContext(db: Db, config: Config, now: () => Date = () => new Date()): AdminContext {
  return {
    db,
    config,
    now,
    internalDomains: config.organization.internalDomains,
    externalValidityMs: durationMs(config.lifecycle.externalValidity),
    maxExtensionMs: durationMs(config.lifecycle.maxExtension),
    inviteValidityMs: durationMs(config.lifecycle.inviteValidity),
  };
}
