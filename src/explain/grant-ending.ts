import type { GrantLogEntry } from '../store/granted/access-history.js';

/** Who or what ended a grant, read from the actor and cause of its grant-log entry. */
export type EndingCause =
  /** A directory sync run stopped asserting the grant; `change` is what the directory stopped saying. */
  | { kind: 'sync'; sourceId: string; runId: string; change: string | null }
  /** A change the source pushed (SCIM) or another change of the source. */
  | { kind: 'source'; sourceId: string; change: string | null }
  /** A lifecycle sweep: `expiry`, `grace`, `inactivity`. */
  | { kind: 'sweep'; sweep: string }
  /** An admin: `system` or `user:<email>`. */
  | { kind: 'admin'; by: string }
  /** A reconciliation with no source change behind it (a rule change, a recovery). */
  | { kind: 'reconciliation' };

export interface GrantEnding {
  at: string;
  action: string;
  actor: string;
  cause: string | null;
  by: EndingCause;
  /** For a rule grant the source stopped asserting: the rule that had matched. */
  rule: string | null;
}

const ENDED = new Set(['suspended', 'expired', 'removed']);
const SYNC_RUN = /^[^:]+: (?:full|delta) sync run ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/;
const DETAIL = /\(([^()]*)\)\s*$/;

/** The origin of the grant an entry reports (the state after it, else before it). */
export function entryOrigin(entry: GrantLogEntry): unknown {
  return (entry.after ?? entry.before)?.['origin'];
}

/**
 * The change that put an ended grant (of `origin`, now `status`) in its state: the latest entry of
 * the grant log whose state after is that status and before was another. Pure.
 */
export function endingOf(grant: { origin: string; status: string }, log: readonly GrantLogEntry[]): GrantEnding | null {
  if (!ENDED.has(grant.status)) return null;
  for (let i = log.length - 1; i >= 0; i--) {
    const e = log[i] as GrantLogEntry;
    if (entryOrigin(e) !== grant.origin || e.after?.['status'] !== grant.status || e.before?.['status'] === grant.status) continue;
    const rule = typeof e.before?.['rule'] === 'string' ? (e.before['rule'] as string) : null;
    return { at: e.at.toISOString(), action: e.action, actor: e.actor, cause: e.cause, by: causeOf(e.actor, e.cause), rule };
  }
  return null;
}

/** Reads an audit actor and cause as who ended the grant. Pure. */
export function causeOf(actor: string, cause: string | null): EndingCause {
  if (actor.startsWith('source:')) {
    const sourceId = actor.slice('source:'.length);
    const change = cause ? (DETAIL.exec(cause)?.[1] ?? null) : null;
    const run = cause ? SYNC_RUN.exec(cause)?.[1] : undefined;
    return run ? { kind: 'sync', sourceId, runId: run, change } : { kind: 'source', sourceId, change };
  }
  if (actor.startsWith('sweep:')) return { kind: 'sweep', sweep: actor.slice('sweep:'.length) };
  if (actor === 'rules') return { kind: 'reconciliation' };
  return { kind: 'admin', by: actor };
}
