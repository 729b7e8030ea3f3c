import { describe, expect, it } from 'vitest';
import { StatementNames } from './statement-names.js';

describe('StatementNames', () => {
  it('names a text on its second run, and keeps that name', () => {
    const names = new StatementNames();
    expect(names.nameOf('select 1 where $1')).toBeUndefined();
    const name = names.nameOf('select 1 where $1');
    expect(name).toMatch(/^idsync_\d+$/);
    expect(names.nameOf('select 1 where $1')).toBe(name);
    expect(names.nameOf('select 2 where $1')).toBeUndefined();
    expect(names.nameOf('select 2 where $1')).not.toBe(name);
  });

  it('stops naming new texts at the cap, and still serves the named ones', () => {
    const names = new StatementNames(2);
    for (const text of ['a', 'a', 'b', 'b', 'c', 'c', 'c']) names.nameOf(text);
    expect(names.size).toBe(2);
    expect(names.nameOf('c')).toBeUndefined();
    expect(names.nameOf('a')).toBeDefined();
  });
});
