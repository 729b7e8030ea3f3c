import { describe, expect, it } from 'vitest';
import { toTimestamp } from './resolve-filter.js';

describe('toTimestamp', () => {
  it('accepts xsd:dateTime forms and reads a missing offset as UTC', () => {
    expect(toTimestamp('2024-02-29T10:20:30.1234567+05:30')).toBe('2024-02-29T10:20:30.1234567+05:30');
    expect(toTimestamp('2024-02-29')).toBe('2024-02-29T00:00:00Z');
    expect(toTimestamp('2024-02-29T10:20Z')).toBe('2024-02-29T10:20:00Z');
    expect(toTimestamp('2023-02-29T00:00:00Z')).toBeUndefined();
    expect(toTimestamp('2024-13-01T00:00:00Z')).toBeUndefined();
    expect(toTimestamp('2024-01-01T24:00:00Z')).toBeUndefined();
    expect(toTimestamp('0000-01-01T00:00:00Z')).toBeUndefined();
  });
});
