import { describe, expect, it } from 'vitest';
import { ScimError } from '../scim-error.js';
import type { FilterNode } from './ast.js';
import { parseFilter } from './parse-filter.js';
import { parsePatchPath } from './parse-patch-path.js';

const eq = (attribute: string, value: string | number | boolean | null, raw = JSON.stringify(value)): FilterNode => ({
  kind: 'compare',
  path: { attribute },
  op: 'eq',
  value,
  raw,
});

function parseError(text: string, options?: Parameters<typeof parseFilter>[1]): ScimError {
  try {
    parseFilter(text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    return error as ScimError;
  }
  throw new Error(`expected ${text} to be rejected`);
}

describe('parseFilter', () => {
  it('parses a comparison, keeping names as written and lower-casing the operator', () => {
    expect(parseFilter('UserName EQ "bjensen"')).toEqual({
      kind: 'compare',
      path: { attribute: 'UserName' },
      op: 'eq',
      value: 'bjensen',
      raw: '"bjensen"',
    });
  });

  it('reads every operator and pr', () => {
    for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']) {
      expect(parseFilter(`title ${op} "x"`)).toMatchObject({ kind: 'compare', op });
    }
    expect(parseFilter('title PR')).toEqual({ kind: 'present', path: { attribute: 'title' } });
  });

  it('reads JSON literals: escapes, numbers, booleans and null (any case)', () => {
    expect(parseFilter(String.raw`displayName eq "say \"hi\" \\ \u00e9\t"`)).toMatchObject({ value: 'say "hi" \\ é\t' });
    expect(parseFilter('x eq -1.5e3')).toMatchObject({ value: -1500, raw: '-1.5e3' });
    expect(parseFilter('active eq True')).toMatchObject({ value: true });
    expect(parseFilter('active eq false')).toMatchObject({ value: false });
    expect(parseFilter('title eq NULL')).toMatchObject({ value: null });
  });

  it('binds "and" tighter than "or"', () => {
    expect(parseFilter('a eq 1 or b eq 2 and c eq 3')).toEqual({
      kind: 'or',
      left: eq('a', 1),
      right: { kind: 'and', left: eq('b', 2), right: eq('c', 3) },
    });
    expect(parseFilter('a eq 1 and b eq 2 or c eq 3')).toEqual({
      kind: 'or',
      left: { kind: 'and', left: eq('a', 1), right: eq('b', 2) },
      right: eq('c', 3),
    });
  });

  it('groups with parentheses and negates with not', () => {
    expect(parseFilter('(a eq 1 or b eq 2) and not (c eq 3)')).toEqual({
      kind: 'and',
      left: { kind: 'or', left: eq('a', 1), right: eq('b', 2) },
      right: { kind: 'not', filter: eq('c', 3) },
    });
    expect(parseFilter('NOT(a eq 1)')).toEqual({ kind: 'not', filter: eq('a', 1) });
    expect(parseFilter('a eq 1 and(b eq 2)')).toEqual({ kind: 'and', left: eq('a', 1), right: eq('b', 2) });
  });

  it('associates a chain of "or" to the left', () => {
    expect(parseFilter('a eq 1 or b eq 2 or c eq 3')).toEqual({
      kind: 'or',
      left: { kind: 'or', left: eq('a', 1), right: eq('b', 2) },
      right: eq('c', 3),
    });
  });

  it('reads schema URN prefixes, sub-attributes and the enterprise extension', () => {
    expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"')).toMatchObject({
      path: { schema: 'urn:ietf:params:scim:schemas:core:2.0:User', attribute: 'userName' },
    });
    expect(parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"')).toMatchObject({
      path: { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', attribute: 'manager', subAttribute: 'value' },
    });
    expect(parseFilter('name.familyName eq "x"')).toMatchObject({ path: { attribute: 'name', subAttribute: 'familyName' } });
    expect(parseFilter('members.$ref pr')).toMatchObject({ path: { attribute: 'members', subAttribute: '$ref' } });
  });

  it('reads value filters, and folds a trailing sub-attribute into the value filter', () => {
    expect(parseFilter('emails[type eq "work" and value co "@example.com"]')).toEqual({
      kind: 'valuePath',
      path: { attribute: 'emails' },
      filter: {
        kind: 'and',
        left: eq('type', 'work'),
        right: { kind: 'compare', path: { attribute: 'value' }, op: 'co', value: '@example.com', raw: '"@example.com"' },
      },
    });
    expect(parseFilter('emails[type eq "work"].value eq "a@x.com"')).toEqual({
      kind: 'valuePath',
      path: { attribute: 'emails' },
      filter: { kind: 'and', left: eq('type', 'work'), right: eq('value', 'a@x.com') },
    });
    expect(parseFilter('emails[type eq "work"].value pr and userName sw "a"')).toMatchObject({
      kind: 'and',
      left: { kind: 'valuePath', filter: { kind: 'and', right: { kind: 'present', path: { attribute: 'value' } } } },
    });
  });

  it('accepts unquoted words as strings, as Microsoft\'s reference tests send them', () => {
    expect(parseFilter('userName sw O')).toMatchObject({ value: 'O', raw: 'O' });
    expect(parseFilter('meta.Created gt 2015-10-10T14:38:21.8617979-07:00')).toMatchObject({
      path: { attribute: 'meta', subAttribute: 'Created' },
      value: '2015-10-10T14:38:21.8617979-07:00',
    });
    expect(parseFilter('name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)')).toMatchObject({
      kind: 'and',
      right: { kind: 'or', left: { value: 'example.com' }, right: { value: 'example.org' } },
    });
    const error = parseError('userName sw O', { allowUnquotedStrings: false });
    expect(error.detail).toMatch(/must be a JSON string in double quotes/);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['userName', /expected an operator after "userName" but the filter ended/],
    ['userName eq', /expected a value after "userName eq" but the filter ended/],
    ['userName eq ', /expected a value after "userName eq" but the filter ended/],
    ['userName equals "x"', /"equals" is not an operator/],
    ['userName eq "x" extra', /character 17: expected "and", "or" or the end of the filter, found "extra"/],
    ['userName eq "x" and', /expected an attribute, "not" or "\(" but the filter ended/],
    ['userName eq "unterminated', /character 13: this string is never closed/],
    ['(userName eq "x"', /character 1: this "\(" is never closed/],
    ['userName eq "x")', /found "\)"/],
    ['not userName eq "x"', /"not" must be followed by a filter in parentheses/],
    ['emails[type eq "work"', /this "\[" is never closed/],
    ['emails[type eq "work" and x[y eq 1]]', /value filters cannot be nested/],
    ['name.givenName[x eq 1]', /must follow a multi-valued attribute/],
    ['emails[type eq "work"].', /expected a sub-attribute name/],
    [String.raw`userName eq "bad \x escape"`, /not a valid JSON string/],
    ['userName eq "a"b', /cannot contain a double quote|expected "and"/],
    ['1userName eq "x"', /not a valid attribute path/],
    ['userName eq 1e999', /out of range/],
    ['"x" eq userName', /expected an attribute name, found/],
    ['userName"eq"x"', /expected a space and an operator/],
  ])('rejects %j with invalidFilter', (text, detail) => {
    const error = parseError(text);
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidFilter');
    expect(error.detail).toMatch(detail);
  });

  it('bounds length and nesting', () => {
    expect(parseError(`userName eq "${'x'.repeat(5000)}"`).detail).toMatch(/at most 4096/);
    const deep = `${'('.repeat(40)}a eq 1${')'.repeat(40)}`;
    expect(parseError(deep).detail).toMatch(/nested more than 32 levels/);
    expect(parseFilter(deep, { maxDepth: 50 })).toEqual(eq('a', 1));
  });
});

describe('parsePatchPath', () => {
  it('reads attribute paths, value paths and their sub-attributes', () => {
    expect(parsePatchPath('members[value eq "2819c223-7f76-453a-919d-413861904646"]')).toEqual({
      path: { attribute: 'members' },
      filter: eq('value', '2819c223-7f76-453a-919d-413861904646'),
    });
    expect(parsePatchPath('emails[type eq "work"].value')).toEqual({
      path: { attribute: 'emails' },
      filter: eq('type', 'work'),
      subAttribute: 'value',
    });
    expect(parsePatchPath('name.givenName')).toEqual({ path: { attribute: 'name', subAttribute: 'givenName' } });
    expect(parsePatchPath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager')).toEqual({
      path: { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', attribute: 'manager' },
    });
  });

  it('rejects malformed paths with invalidPath', () => {
    for (const text of ['', 'members[', 'members[value eq "x"] extra', 'members[value eq x]', 'a b']) {
      expect(() => parsePatchPath(text)).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidPath' }));
    }
  });
});
