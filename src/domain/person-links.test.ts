import { describe, expect, it } from 'vitest';
import { planPersonLinks, type CorrelatedAccount, type CorrelatedPerson, type LinkPlanInput } from './person-links.js';

function account(key: string, email: string | null, linkedTo: string | null, options: { precedence?: number; live?: boolean } = {}): CorrelatedAccount {
  return { key, email, linkedTo, precedence: options.precedence ?? 0, live: options.live ?? true };
}

/** Accounts ordered as the store returns them: precedence first (highest first), the given order after that. */
function plan(people: CorrelatedPerson[], accounts: CorrelatedAccount[], others: Record<string, string> = {}) {
  let n = 0;
  const input: LinkPlanInput = {
    people,
    accounts: [...accounts].sort((a, b) => b.precedence - a.precedence),
    holderOf: (email) => people.find((p) => p.email === email)?.id ?? others[email],
    newPersonId: () => `new-${++n}`,
  };
  return planPersonLinks(input);
}

describe('planPersonLinks', () => {
  it('links a new account to the person holding its address, or to a new person', () => {
    const p = { id: 'p', email: 'ann@example.com' };
    const result = plan([p], [account('ldap/1', 'ann@example.com', null), account('scim/1', 'bob@example.com', null), account('okta/1', 'bob@example.com', null)]);
    expect(result.created).toEqual([{ id: 'new-1', email: 'bob@example.com' }]);
    expect([...result.links]).toEqual([['ldap/1', 'p'], ['scim/1', 'new-1'], ['okta/1', 'new-1']]);
    expect(result.emailChanges).toEqual([]);
    expect(result.conflicts).toEqual([]);
  });

  it('a renamed account keeps backing its person, who moves to the new address', () => {
    const p = { id: 'p', email: 'ann.lee@example.com' };
    const result = plan([p], [account('ldap/1', 'ann.kim@example.com', 'p')]);
    expect(result.emailChanges).toEqual([{ personId: 'p', before: 'ann.lee@example.com', after: 'ann.kim@example.com', account: 'ldap/1' }]);
    expect(result.links.get('ldap/1')).toBe('p');
    expect(result.created).toEqual([]);
  });

  it('an account that arrives with the old address after the move gets a person of its own', () => {
    const p = { id: 'p', email: 'ann.lee@example.com' };
    const result = plan([p], [account('ldap/1', 'ann.kim@example.com', 'p'), account('hr/9', 'ann.lee@example.com', null)]);
    expect(result.emailChanges.map((c) => c.after)).toEqual(['ann.kim@example.com']);
    expect(result.created).toEqual([{ id: 'new-1', email: 'ann.lee@example.com' }]);
  });

  it('a new account with the new address joins the moving person', () => {
    const p = { id: 'p', email: 'ann.lee@example.com' };
    const result = plan([p], [account('ldap/1', 'ann.kim@example.com', 'p', { precedence: 5 }), account('okta/7', 'ann.kim@example.com', null)]);
    expect(result.created).toEqual([]);
    expect(result.links.get('okta/7')).toBe('p');
  });

  describe('two sources renaming', () => {
    const p = { id: 'p', email: 'a@example.com' };

    it('equal precedence: the person moves when the last account has renamed, in either order', () => {
      for (const [first, second] of [['ldap/1', 'scim/1'], ['scim/1', 'ldap/1']] as const) {
        const halfway = plan([p], [account(first, 'b@example.com', 'p'), account(second, 'a@example.com', 'p')]);
        expect(halfway.emailChanges).toEqual([]);
        const done = plan([p], [account(first, 'b@example.com', 'p'), account(second, 'b@example.com', 'p')]);
        expect(done.emailChanges.map((c) => [c.before, c.after])).toEqual([['a@example.com', 'b@example.com']]);
      }
    });

    it('the higher-precedence source moves the person at once; the lower one alone does not', () => {
      const high = plan([p], [account('ldap/1', 'b@example.com', 'p', { precedence: 10 }), account('scim/1', 'a@example.com', 'p', { precedence: 1 })]);
      expect(high.emailChanges.map((c) => c.after)).toEqual(['b@example.com']);
      const low = plan([p], [account('ldap/1', 'a@example.com', 'p', { precedence: 10 }), account('scim/1', 'b@example.com', 'p', { precedence: 1 })]);
      expect(low.emailChanges).toEqual([]);
      expect(low.links.get('scim/1')).toBe('p');
    });

    it('either order ends with one person at the new address, both accounts linked', () => {
      // The high source renames first, then the low one; and the other way round.
      const steps = [
        [account('ldap/1', 'b@example.com', 'p', { precedence: 10 }), account('scim/1', 'a@example.com', 'p')],
        [account('ldap/1', 'b@example.com', 'p', { precedence: 10 }), account('scim/1', 'b@example.com', 'p')],
      ];
      let person = p;
      for (const accounts of steps) {
        const result = plan([person], accounts);
        for (const change of result.emailChanges) person = { id: change.personId, email: change.after };
      }
      expect(person).toEqual({ id: 'p', email: 'b@example.com' });
      person = p;
      for (const accounts of [
        [account('ldap/1', 'a@example.com', 'p', { precedence: 10 }), account('scim/1', 'b@example.com', 'p')],
        [account('ldap/1', 'b@example.com', 'p', { precedence: 10 }), account('scim/1', 'b@example.com', 'p')],
      ]) {
        const result = plan([person], accounts);
        for (const change of result.emailChanges) person = { id: change.personId, email: change.after };
      }
      expect(person).toEqual({ id: 'p', email: 'b@example.com' });
    });
  });

  describe('conflicts', () => {
    it('an address held by another person is not merged into: both stay, the conflict is recorded', () => {
      const p = { id: 'p', email: 'ann@example.com' };
      const q = { id: 'q', email: 'bob@example.com' };
      const result = plan([p, q], [account('ldap/1', 'bob@example.com', 'p'), account('scim/2', 'bob@example.com', 'q')]);
      expect(result.emailChanges).toEqual([]);
      expect(result.conflicts).toEqual([{ personId: 'p', email: 'bob@example.com', heldBy: 'q', account: 'ldap/1' }]);
      expect(result.links.get('ldap/1')).toBe('p');
      expect(result.links.get('scim/2')).toBe('q');
    });

    it('a holder outside the plan (a person created by hand) is a conflict too', () => {
      const p = { id: 'p', email: 'ann@example.com' };
      const result = plan([p], [account('ldap/1', 'bob@example.com', 'p')], { 'bob@example.com': 'manual' });
      expect(result.conflicts).toEqual([{ personId: 'p', email: 'bob@example.com', heldBy: 'manual', account: 'ldap/1' }]);
    });

    it('two people moving to one free address: the higher precedence takes it, the other records a conflict', () => {
      const p = { id: 'p', email: 'a@example.com' };
      const q = { id: 'q', email: 'b@example.com' };
      const result = plan([p, q], [account('scim/1', 'c@example.com', 'p', { precedence: 1 }), account('ldap/2', 'c@example.com', 'q', { precedence: 5 })]);
      expect(result.emailChanges.map((c) => [c.personId, c.after])).toEqual([['q', 'c@example.com']]);
      expect(result.conflicts).toEqual([{ personId: 'p', email: 'c@example.com', heldBy: 'q', account: 'scim/1' }]);
    });

    it('a chain of moves goes in an order that never shares an address; a swap is a conflict for both', () => {
      const p = { id: 'p', email: 'a@example.com' };
      const q = { id: 'q', email: 'b@example.com' };
      const chain = plan([p, q], [account('x/1', 'b@example.com', 'p'), account('x/2', 'c@example.com', 'q')]);
      expect(chain.emailChanges.map((c) => [c.personId, c.before, c.after])).toEqual([
        ['q', 'b@example.com', 'c@example.com'],
        ['p', 'a@example.com', 'b@example.com'],
      ]);
      expect(chain.conflicts).toEqual([]);
      const swap = plan([p, q], [account('x/1', 'b@example.com', 'p'), account('x/2', 'a@example.com', 'q')]);
      expect(swap.emailChanges).toEqual([]);
      expect(swap.conflicts.map((c) => [c.personId, c.heldBy])).toEqual([['p', 'q'], ['q', 'p']]);
    });
  });

  describe('unlinking', () => {
    it('a deleted account is unlinked and no longer gives the address', () => {
      const p = { id: 'p', email: 'a@example.com' };
      const result = plan([p], [account('ldap/1', 'z@example.com', 'p', { precedence: 9, live: false }), account('scim/1', 'a@example.com', 'p')]);
      expect(result.unlinked).toEqual(['ldap/1']);
      expect(result.links.has('ldap/1')).toBe(false);
      expect(result.emailChanges).toEqual([]);
    });

    it('an account an admin unlinked is correlated afresh by its address', () => {
      // It was renamed into a conflict with q, then unlinked from p: it now backs q.
      const p = { id: 'p', email: 'ann@example.com' };
      const q = { id: 'q', email: 'bob@example.com' };
      const result = plan([p, q], [account('ldap/1', 'bob@example.com', null)]);
      expect(result.links.get('ldap/1')).toBe('q');
      expect(result.conflicts).toEqual([]);
      expect(result.created).toEqual([]);
    });

    it('an account without an address keeps its link but gives no address', () => {
      const p = { id: 'p', email: 'a@example.com' };
      const result = plan([p], [account('ldap/1', null, 'p', { precedence: 9 }), account('hr/1', null, null)]);
      expect([...result.links]).toEqual([['ldap/1', 'p']]);
      expect(result.emailChanges).toEqual([]);
    });
  });
});
