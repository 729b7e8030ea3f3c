import { describe, expect, it } from 'vitest';
import type { GrantLogEntry } from '../store/granted/access-history.js';
import { causeOf, endingOf } from './grant-ending.js';

const RUN = '0199a3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b';
let seq = 0;
function entry(actor: string, cause: string | null, before: Record<string, unknown> | null, after: Record<string, unknown>): GrantLogEntry {
  seq++;
  return { id: String(seq), at: new Date(Date.UTC(2026, 2, 1, 12, seq)), actor, action: `membership.${String(after['status'])}`, workspace_id: 'w', before, after, cause };
}

describe('what ended a grant', () => {
  it('reads each kind of actor and cause', () => {
    expect(causeOf(`source:corp`, `corp: full sync run ${RUN} (removed from group Everyone)`)).toEqual({ kind: 'sync', sourceId: 'corp', runId: RUN, change: 'removed from group Everyone' });
    expect(causeOf('source:entra-scim', 'entra-scim: user written (user deactivated)')).toEqual({ kind: 'source', sourceId: 'entra-scim', change: 'user deactivated' });
    expect(causeOf('source:hr', null)).toEqual({ kind: 'source', sourceId: 'hr', change: null });
    expect(causeOf('sweep:grace', 'grace period after deprovisioning ended')).toEqual({ kind: 'sweep', sweep: 'grace' });
    expect(causeOf('user:bob@example.com', 'removed by hand')).toEqual({ kind: 'admin', by: 'user:bob@example.com' });
    expect(causeOf('system', 'removed by hand')).toEqual({ kind: 'admin', by: 'system' });
    expect(causeOf('rules', 'reconciliation')).toEqual({ kind: 'reconciliation' });
  });

  it('is the latest change into the status the grant has, of its origin', () => {
    const log = [
      entry('source:corp', `corp: full sync run ${RUN} (added to group Everyone)`, null, { origin: 'rules', status: 'active', role: 'viewer', rule: 'viewer: corp/Everyone' }),
      entry('source:corp', `corp: full sync run ${RUN} (removed from group Everyone)`, { origin: 'rules', status: 'active', rule: 'viewer: corp/Everyone' }, { origin: 'rules', status: 'suspended', rule: 'viewer: corp/Everyone' }),
      entry('user:bob@example.com', 'removed by hand', { origin: 'manual', status: 'active' }, { origin: 'manual', status: 'removed' }),
      entry('sweep:grace', 'grace period after deprovisioning ended', { origin: 'rules', status: 'suspended', rule: 'viewer: corp/Everyone' }, { origin: 'rules', status: 'removed', rule: 'viewer: corp/Everyone' }),
    ];
    expect(endingOf({ origin: 'rules', status: 'removed' }, log)).toMatchObject({ actor: 'sweep:grace', by: { kind: 'sweep', sweep: 'grace' }, rule: 'viewer: corp/Everyone' });
    expect(endingOf({ origin: 'rules', status: 'suspended' }, log)).toMatchObject({ by: { kind: 'sync', runId: RUN, change: 'removed from group Everyone' }, rule: 'viewer: corp/Everyone' });
    expect(endingOf({ origin: 'manual', status: 'removed' }, log)).toMatchObject({ by: { kind: 'admin', by: 'user:bob@example.com' }, cause: 'removed by hand', rule: null });
    expect(endingOf({ origin: 'rules', status: 'active' }, log)).toBeNull();
    expect(endingOf({ origin: 'invite', status: 'expired' }, log)).toBeNull();
  });
});
