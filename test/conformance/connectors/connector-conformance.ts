/**
 * One conformance suite for every connector, run against each one's own directory: a fake of its
 * API (test/fakes) or a private slapd. Each case holds for every connector; where a directory
 * offers no such thing, the harness says so (`ConnectorCapabilities`) and the case asserts what
 * that connector does instead — nothing is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, ConnectorPage, ThrottleEvent } from '../../../src/connector/connector.js';
import { collect, failure } from '../../helpers/pages.js';
import { applyDelta, byEmail, comparable, viewOf } from './directory-view.js';
import type { ConnectorFixture, ConnectorHarness } from './harness.js';

/** What only a delta may carry. */
const DELTA_ONLY = ['userPatches', 'groupPatches', 'removedUsers', 'removedGroups', 'memberChanges'] as const;

const usersIn = (pages: readonly ConnectorPage[]) => pages.flatMap((p) => p.users ?? []);
const cursors = (pages: readonly ConnectorPage[]) => pages.filter((p) => p.cursor !== undefined);

function deltaOf(connector: Connector, cursor: string, onThrottle?: (e: ThrottleEvent) => void): AsyncIterable<ConnectorPage> {
  if (!connector.delta) throw new Error(`the ${connector.kind} connector has no delta`);
  return connector.delta({ cursor, onThrottle });
}

export function describeConnectorConformance(harness: ConnectorHarness): void {
  const can = harness.capabilities;
  const title = `${harness.kind} connector conformance (${harness.backend}; delta: ${can.delta}, removal: ${can.removal}, changed user: ${can.changedUser}, throttle: ${can.throttle})`;

  describe(title, () => {
    let fx: ConnectorFixture;
    beforeAll(async () => {
      fx = await harness.start();
    });
    afterAll(async () => {
      await fx?.stop();
    });

    describe('full listing', () => {
      let pages: ConnectorPage[];
      beforeAll(async () => {
        pages = await collect(fx.connector().full());
      });

      it('yields every user and group once, with their members and active flags, over several pages', () => {
        const listed = usersIn(pages);
        expect(new Set(listed.map((u) => u.externalId)).size).toBe(listed.length);
        expect(pages.filter((p) => p.users?.length).length).toBeGreaterThan(1);
        const expected = fx.expected();
        const seen = byEmail(viewOf(pages));
        expect(seen.users).toEqual(expected.users);
        expect(seen.groups).toEqual(expected.groups);
      });

      it('yields users before groups, and nothing a full listing may not carry', () => {
        const firstGroupPage = pages.findIndex((p) => p.groups?.length);
        expect(firstGroupPage).toBeGreaterThan(0);
        expect(pages.slice(firstGroupPage).some((p) => p.users?.length)).toBe(false);
        for (const field of DELTA_ONLY) expect(pages.filter((p) => p[field] !== undefined).map((p) => p[field])).toEqual([]);
      });

      it(can.delta === 'cursor' ? 'carries the cursor on its last page only' : 'carries no cursor, and the connector has no delta', () => {
        if (can.delta === 'cursor') {
          expect(cursors(pages)).toEqual([pages.at(-1)]);
          expect(pages.at(-1)?.cursor).toEqual(expect.any(String));
          expect(fx.connector().delta).toBeTypeOf('function');
        } else {
          expect(cursors(pages)).toEqual([]);
          expect(fx.connector().delta).toBeUndefined();
        }
      });
    });

    describe('changes: a new user, a changed one, a new member, a removal', () => {
      let before: ConnectorPage[];
      let delta: ConnectorPage[] = [];
      let after: ConnectorPage[];
      let added: string;
      let changed: string;
      let disabled: string;
      let removed: string;
      let removedId: string;
      let changedId: string;
      let disabledId: string;

      beforeAll(async () => {
        const connector = fx.connector();
        before = await collect(connector.full());
        const idOf = new Map(usersIn(before).map((u) => [(u.email ?? '').toLowerCase(), u.externalId]));
        [changed, disabled, removed] = fx.sample.users;
        changedId = idOf.get(changed) as string;
        disabledId = idOf.get(disabled) as string;
        removedId = idOf.get(removed) as string;
        await fx.settle();
        added = await fx.addUser('conformance-new');
        await fx.addMember(fx.sample.group, added);
        await fx.setFamilyName(changed, 'Conformance');
        if (can.disable) await fx.disable(disabled);
        await fx.removeUser(removed);
        if (can.delta === 'cursor') delta = await collect(deltaOf(connector, before.at(-1)?.cursor as string));
        after = await collect(fx.connector().full());
      });

      it('the next full listing shows them', () => {
        const seen = byEmail(viewOf(after));
        expect(seen).toEqual(fx.expected());
        expect(seen.users.get(added)).toEqual({ active: true });
        expect(seen.users.get(disabled)).toEqual({ active: !can.disable });
        expect(seen.users.has(removed)).toBe(false);
        expect(seen.groups.get(fx.sample.group)?.has(added)).toBe(true);
        expect(usersIn(after).find((u) => u.externalId === changedId)?.familyName).toBe('Conformance');
      });

      it(
        can.delta === 'cursor'
          ? 'a delta from the cursor, applied to the first listing, gives the next full listing'
          : 'there is no delta: every run is a full listing',
        () => {
          if (can.delta === 'none') {
            expect(fx.connector().delta).toBeUndefined();
            expect(cursors(after)).toEqual([]);
            return;
          }
          const applied = applyDelta(viewOf(before), delta);
          // A directory that cannot tell a deletion in a delta leaves it to the next full listing.
          if (can.removal === 'full-listing') applied.users.delete(removedId);
          expect(comparable(applied)).toEqual(comparable(viewOf(after)));
          // A delta, not a second full listing: far fewer records than the directory holds.
          expect(usersIn(delta).length + delta.flatMap((p) => p.userPatches ?? []).length).toBeLessThan(usersIn(before).length / 2);
          expect(cursors(delta)).toEqual([delta.at(-1)]);
        },
      );

      it(
        can.removal === 'delta'
          ? 'the delta names the removed user in removedUsers'
          : can.delta === 'cursor'
            ? 'the delta cannot see the removal and says nothing of that user; the next full listing leaves it out'
            : 'the next full listing leaves the removed user out',
        () => {
          expect(removedId).toEqual(expect.any(String));
          expect(usersIn(after).some((u) => u.externalId === removedId)).toBe(false);
          const removals = delta.flatMap((p) => p.removedUsers ?? []);
          if (can.removal === 'delta') {
            expect(removals).toContain(removedId);
            // Removed, and not listed again after its removal.
            const removedAt = delta.findIndex((p) => p.removedUsers?.includes(removedId));
            expect(delta.slice(removedAt).some((p) => p.users?.some((u) => u.externalId === removedId))).toBe(false);
          } else {
            expect(removals).toEqual([]);
            expect(usersIn(delta).some((u) => u.externalId === removedId)).toBe(false);
          }
        },
      );

      it(
        can.delta === 'none'
          ? 'without a delta there are no partial records: the changed user comes whole in the full listing'
          : can.changedUser === 'partial'
            ? 'the delta sends the changed user as a partial record: its id and what was written, nothing else'
            : 'the delta sends the changed user as a whole record, and no partial records at all',
        () => {
          const whole = usersIn(can.delta === 'none' ? after : delta).filter((u) => u.externalId === changedId);
          const patches = delta.flatMap((p) => p.userPatches ?? []);
          if (can.delta === 'cursor' && can.changedUser === 'partial') {
            expect(whole).toEqual([]);
            const patch = patches.find((p) => p.externalId === changedId);
            expect(patch).toMatchObject({ externalId: changedId, familyName: 'Conformance' });
            // Graph sends only the properties written: no e-mail, user name or flag to guess.
            expect(patch && Object.keys(patch).filter((k) => ['userName', 'email', 'emails', 'active', 'givenName'].includes(k))).toEqual([]);
            if (can.disable) expect(patches).toContainEqual({ externalId: disabledId, active: false });
          } else {
            expect(patches).toEqual([]);
            expect(delta.flatMap((p) => p.groupPatches ?? [])).toEqual([]);
            expect(whole).toHaveLength(1);
            expect(whole[0]).toMatchObject({ familyName: 'Conformance', email: changed, userName: expect.any(String), active: true });
          }
        },
      );

      it(
        can.delta === 'cursor' ? 'a delta from the new cursor, nothing having changed, reports no removal and only what it read again' : 'a second full listing without changes lists the same',
        async () => {
          if (can.delta === 'none') {
            expect(comparable(viewOf(await collect(fx.connector().full())))).toEqual(comparable(viewOf(after)));
            return;
          }
          const quiet = await collect(deltaOf(fx.connector(), delta.at(-1)?.cursor as string));
          // Re-reading a change near the cursor is allowed (at-least-once: Okta reads its System Log
          // again from a few minutes back), naming a user the directory still holds is not.
          const current = viewOf(after);
          expect(quiet.flatMap((p) => p.removedUsers ?? []).filter((id) => current.users.has(id))).toEqual([]);
          const touched = new Set([changedId, disabledId, ...usersIn(after).filter((u) => u.email?.toLowerCase() === added).map((u) => u.externalId)]);
          expect(usersIn(quiet).filter((u) => !touched.has(u.externalId))).toEqual([]);
          expect(cursors(quiet)).toEqual([quiet.at(-1)]);
          expect(comparable(applyDelta(current, quiet))).toEqual(comparable(current));
        },
      );
    });

    describe('throttling', () => {
      it(
        can.throttle === 'waits'
          ? 'a throttle in the middle of a listing is waited out, reported through onThrottle, and the listing completes unchanged'
          : 'a throttle (busy) in the middle of a listing ends it with connector_retryable, without a cursor',
        async () => {
          const reference = comparable(viewOf(await collect(fx.connector().full())));
          fx.throttleMidListing();
          const events: ThrottleEvent[] = [];
          try {
            if (can.throttle === 'waits') {
              const pages = await collect(fx.connector().full({ onThrottle: (e) => events.push(e) }));
              expect(events.length).toBeGreaterThan(0);
              for (const e of events) expect(e.waitMs).toBeGreaterThan(0);
              expect(comparable(viewOf(pages))).toEqual(reference);
            } else {
              const seen: ConnectorPage[] = [];
              const error = await failure(fx.connector().full({ onThrottle: (e) => events.push(e) }), seen);
              expect(error.code).toBe('connector_retryable');
              expect(seen.length).toBeGreaterThan(0);
              expect(cursors(seen)).toEqual([]);
            }
          } finally {
            fx.clearFaults();
          }
        },
      );
    });

    describe('a failure in the middle of a listing', () => {
      async function expectFailed(list: (c: Connector) => AsyncIterable<ConnectorPage>): Promise<void> {
        fx.failMidListing();
        try {
          const seen: ConnectorPage[] = [];
          const error = await failure(list(fx.connector()), seen);
          expect(error.code).toBe('connector_retryable');
          expect(error.message).toContain('conformance');
          // It happened in the middle: records had been yielded, and none of them closed the listing.
          expect(seen.some((p) => p.users?.length || p.userPatches?.length || p.groups?.length || p.removedUsers?.length)).toBe(true);
          expect(cursors(seen)).toEqual([]);
        } finally {
          fx.clearFaults();
        }
      }

      it('fails a full listing with connector_retryable after its first pages, never ending as a success', async () => {
        await expectFailed((c) => c.full());
      });

      it(
        can.delta === 'cursor' ? 'fails a delta the same way, never returning a cursor' : 'has no delta to fail: every run is the full listing above',
        async () => {
          if (can.delta === 'none') {
            expect(fx.connector().delta).toBeUndefined();
            return;
          }
          const first = await collect(fx.connector().full());
          await fx.settle();
          // Enough changes for a delta of several pages, so that it yields records before it fails.
          for (let i = 0; i < 25; i++) await fx.addUser(`conformance-more-${i}`);
          await expectFailed((c) => deltaOf(c, first.at(-1)?.cursor as string));
        },
      );
    });
  });
}

