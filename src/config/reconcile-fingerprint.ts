import { contentHash } from '../ingest/content-hash.js';
import type { Config } from './schema.js';

/**
 * A digest of every part of the config that decides what reconciliation grants: the workspaces and
 * their rules, lifecycle, which domains are internal, and each source's kind, precedence and
 * attribute mapping. Two configs with the same fingerprint grant the same memberships from the same
 * observed state; a different one means everyone must be reconciled again (a removed rule ends
 * access at once, not at each person's next directory change). Key order does not matter.
 */
export function reconcileFingerprint(config: Config): string {
  return contentHash({
    organization: config.organization,
    workspaces: config.workspaces,
    lifecycle: config.lifecycle,
    sources: config.sources.map((s) => ({ id: s.id, kind: s.kind, precedence: s.precedence, attributes: 'attributes' in s ? s.attributes : undefined })),
  });
}
