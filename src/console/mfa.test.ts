import { describe, expect, it } from 'vitest';
import { describeMethods, showsSecondFactor } from './mfa.js';

describe('showsSecondFactor', () => {
  it('accepts "mfa" and two distinct methods', () => {
    expect(showsSecondFactor(['pwd', 'mfa'])).toBe(true);
    expect(showsSecondFactor(['mfa'])).toBe(true);
    expect(showsSecondFactor(['pwd', 'otp'])).toBe(true);
  });
  it('refuses one method, the same method twice, and a missing or malformed amr', () => {
    expect(showsSecondFactor(['pwd'])).toBe(false);
    expect(showsSecondFactor(['pwd', 'PWD'])).toBe(false);
    expect(showsSecondFactor(undefined)).toBe(false);
    expect(showsSecondFactor('mfa')).toBe(false);
    expect(showsSecondFactor([1, 2])).toBe(false);
  });
  it('describes what the provider reported', () => {
    expect(describeMethods(['pwd'])).toContain('only: pwd');
    expect(describeMethods(undefined)).toContain('no "amr" claim');
  });
});
