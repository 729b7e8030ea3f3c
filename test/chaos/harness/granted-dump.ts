/**
 * The canonical dump of granted state: people, memberships, audit rows and outbox events by their
 * logical content — no ids, no timestamps. Two runs of the same input must give equal dumps,
 * however they were interrupted: a line missing is a change lost, a line twice is a change
 * written twice.
 *
 * Left out on purpose: who and why (`actor`, `cause`). They name the job that happened to carry a
 * change, and a recovery (a retried job, a reconciliation after Redis lost its data) legitimately
 * carries it under another name; what was granted, and each event, must not differ.
 * A validity is kept as its length from the grant (`+90d`) or, for a date an admin asked for
 * (midnight UTC), as that date.
 */
import type { Queryable } from '../../../src/store/db.js';

export interface GrantedDump {
  people: string[];
  memberships: string[];
  audit: string[];
  outbox: string[];
}

const DAY_MS = 86_400_000;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const ID_KEYS = new Set(['id', 'personId', 'membershipId', 'inviteId', 'tokenId']);

function stamp(value: Date | string | null, from: Date | string): string {
  if (value === null) return '-';
  const at = new Date(value);
  if (at.getUTCHours() === 0 && at.getUTCMinutes() === 0 && at.getUTCSeconds() === 0 && at.getUTCMilliseconds() === 0) return at.toISOString().slice(0, 10);
  const days = (at.getTime() - new Date(from).getTime()) / DAY_MS;
  return `${days >= 0 ? '+' : ''}${Math.round(days)}d`;
}

/** A JSON document with ids dropped and timestamps made relative to `at`, keys sorted. */
function logical(value: unknown, at: Date | string): string {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string' && ISO.test(v)) return stamp(v, at);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([k]) => !ID_KEYS.has(k))
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, x]) => [k, walk(x)]),
      );
    }
    return v;
  };
  return JSON.stringify(walk(value));
}

export async function grantedDump(db: Queryable): Promise<GrantedDump> {
  const people = await db.query<{ email: string; given_name: string | null; family_name: string | null; company: string | null; kind: string; status: string }>(
    'select email, given_name, family_name, company, kind, status from people',
  );
  return {
    people: people.rows.map((p) => [p.email, p.given_name, p.family_name, p.company, p.kind, p.status].join(' ')).sort(),
    memberships: await memberships(db),
    audit: (
      await db.query<{ at: Date; action: string; email: string | null; workspace_id: string | null; before: unknown; after: unknown }>(
        'select a.at, a.action, p.email, a.workspace_id, a.before, a.after from audit_log a left join people p on p.id = a.person_id',
      )
    ).rows
      .map((a) => [a.action, a.email ?? '-', a.workspace_id ?? '-', logical(a.before, a.at), logical(a.after, a.at)].join(' '))
      .sort(),
    outbox: (
      await db.query<{ at: Date; type: string; email: string | null; workspace_id: string | null; payload: unknown }>(
        'select o.at, o.type, p.email, o.workspace_id, o.payload from outbox o left join people p on p.id = o.person_id',
      )
    ).rows
      .map((o) => [o.type, o.email ?? '-', o.workspace_id ?? '-', logical(o.payload, o.at)].join(' '))
      .sort(),
  };
}

/** Memberships alone: what a phase of the input must have reached before the next one starts. */
export async function memberships(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ email: string; workspace_id: string; origin: string; role: string; status: string; source_id: string | null; rule: string | null; valid_from: Date; valid_until: Date | null; suspended: boolean }>(
    `select p.email, m.workspace_id, m.origin, m.role, m.status, m.source_id, m.rule, m.valid_from, m.valid_until, m.suspended_at is not null as suspended
       from memberships m join people p on p.id = m.person_id`,
  );
  return rows.rows
    .map((m) => [m.email, m.workspace_id, m.origin, m.role, m.status, m.source_id ?? '-', m.rule ?? '-', stamp(m.valid_until, m.valid_from), m.suspended ? 'suspended-at' : '-'].join(' '))
    .sort();
}

/** Lines of `expected` missing from `actual` and lines `actual` has beyond it, counting repeats. */
export function dumpDifference(expected: readonly string[], actual: readonly string[]): { missing: string[]; extra: string[] } {
  const count = new Map<string, number>();
  for (const l of expected) count.set(l, (count.get(l) ?? 0) + 1);
  const extra: string[] = [];
  for (const l of actual) {
    const n = count.get(l) ?? 0;
    if (n > 0) count.set(l, n - 1);
    else extra.push(l);
  }
  const missing = [...count.entries()].flatMap(([l, n]) => Array.from({ length: n }, () => l));
  return { missing, extra };
}

/** A short account of how two dumps differ, or '' when they are equal. */
export function describeDifference(expected: GrantedDump, actual: GrantedDump): string {
  const parts: string[] = [];
  for (const key of ['people', 'memberships', 'audit', 'outbox'] as const) {
    const { missing, extra } = dumpDifference(expected[key], actual[key]);
    if (missing.length + extra.length === 0) continue;
    parts.push(
      `${key}: ${missing.length} missing, ${extra.length} extra (of ${expected[key].length})`,
      ...missing.slice(0, 8).map((l) => `  - ${l}`),
      ...extra.slice(0, 8).map((l) => `  + ${l}`),
    );
  }
  return parts.join('\n');
}
