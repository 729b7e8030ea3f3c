import { describe, expect, it } from 'vitest';
import { EXPECTED_MATRIX } from '../../test/helpers/role-matrix.js';
import { decide, POLICY_ACTIONS } from './role-policy.js';
import { ROLES } from './roles.js';

const cases = POLICY_ACTIONS.flatMap((action) => ROLES.flatMap((actor) => ROLES.map((target) => ({ action, actor, target, allowed: EXPECTED_MATRIX[action][actor].includes(target) }))));

describe('the role matrix (design §4)', () => {
  it('covers every action × actor role × target role', () => {
    expect(cases).toHaveLength(POLICY_ACTIONS.length * 3 * 3);
  });

  it.each(cases)('$actor → $action on $target: allowed=$allowed', ({ action, actor, target, allowed }) => {
    const decision = decide(action, actor, target);
    expect(decision.allowed).toBe(allowed);
    if (!decision.allowed) {
      expect(decision.rule).toMatch(/^[a-z-]+$/);
      expect(decision.reason.length).toBeGreaterThan(10);
    }
  });
});
