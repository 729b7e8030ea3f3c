import type { Config } from '../config/schema.js';
import { durationMs } from '../domain/duration.js';

/** The lifecycle policy in milliseconds (config `lifecycle`, design §4). */
export interface LifecycleSettings {
  /** `remindBefore`: a `membership.expiring` event this long before `valid_until`. */
  remindBeforeMs: number;
  /** `graceAfterDeprovision`: a suspended grant is removed this long after it was suspended. */
  graceMs: number;
  /** `inactivity`: grants of people with no activity reported for this long are removed. */
  inactivityMs: number;
  /** `retention.requestLog`: provisioning-log entries older than this are deleted. */
  requestLogRetentionMs: number;
  /** Rows changed per transaction. Default 500. */
  batchSize: number;
}

export function lifecycleSettings(config: Config, batchSize = 500): LifecycleSettings {
  return {
    remindBeforeMs: durationMs(config.lifecycle.remindBefore),
    graceMs: durationMs(config.lifecycle.graceAfterDeprovision),
    inactivityMs: durationMs(config.lifecycle.inactivity),
    requestLogRetentionMs: durationMs(config.retention.requestLog),
    batchSize,
  };
}
