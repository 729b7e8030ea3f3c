import * as crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashToken, safeEqual } from './secret-tokens.js';

// The real timingSafeEqual, watched: the comparison must go through it, never through `===`.
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

describe('safeEqual', () => {
  afterEach(() => vi.mocked(crypto.timingSafeEqual).mockClear());

  it('is true for equal secrets and false for different ones of the same length', () => {
    expect(safeEqual('s3cret-token-value', 's3cret-token-value')).toBe(true);
    expect(safeEqual('s3cret-token-value', 's3cret-token-valuf')).toBe(false);
  });

  it('is false for secrets of different lengths, without throwing as timingSafeEqual does on unequal buffers', () => {
    expect(safeEqual('short', 'a-much-longer-secret')).toBe(false);
    expect(safeEqual('', 'x')).toBe(false);
  });

  it('compares in constant time: one crypto.timingSafeEqual over two 32-byte digests, whatever the lengths', () => {
    for (const [a, b] of [['same', 'same'], ['abcd', 'abce'], ['short', 'a-much-longer-secret']] as const) {
      vi.mocked(crypto.timingSafeEqual).mockClear();
      safeEqual(a, b);
      const calls = vi.mocked(crypto.timingSafeEqual).mock.calls;
      expect(calls).toHaveLength(1);
      // Digests of equal length: the time does not depend on where or whether the inputs differ, nor on their lengths.
      expect(calls[0]?.map((buffer) => (buffer as Buffer).length)).toEqual([32, 32]);
    }
  });
});

describe('hashToken', () => {
  it('hashes to SHA-256 hex', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
