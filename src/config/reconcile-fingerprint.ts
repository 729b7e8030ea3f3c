import { createHash } from 'node:crypto';
import type { Config } from './schema.js';

/**
 * A digest of every part of the config that decides what reconciliation grants: the workspaces and
 * their rules, lifecycle, which domains are internal, and each source's kind, precedence and
 * attribute mapping. Two configs with the same fingerprint grant the same memberships from the same
 * observed state; a different one means everyone must be reconciled again (a removed rule ends
 * access at once, not at each person's next directory change). Key order does not matter.
 */
export function reconcileFingerprint(config: Config): string {
  const inputs = {
    organization: config.organization,
    workspaces: config.workspaces,
    lifecycle: config.lifecycle,
    sources: config.sources.map((s) => ({ id: s.id, kind: s.kind, precedence: s.precedence, attributes: 'attributes' in s ? s.attributes : undefined })),
  };
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
