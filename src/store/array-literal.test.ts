import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../test/helpers/db.js';
import { arrayParameter } from './array-literal.js';

// node-postgres' own serialiser, which `arrayParameter` stands in for.
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue: (v: unknown) => unknown };

const TRICKY = ['plain', '', 'NULL', 'null', 'a,b', '{braces}', ' spaced ', 'say "hi"', 'back\\slash', '\\"', '"', '\\', 'tab\there', 'line\nbreak', 'ünïcødé ✓', "it's"];

describe('arrayParameter', () => {
  it('writes what node-postgres writes for arrays of strings and nulls', () => {
    const cases: unknown[][] = [[], ['one'], TRICKY, [null], [undefined, 'x', null], ['a', null, 'b"c'], ['0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b', 'x@example.com']];
    for (const values of cases) expect(arrayParameter(values)).toBe(prepareValue(values));
  });

  it('leaves every other array to node-postgres, untouched', () => {
    for (const values of [[1, 2], [true, false], ['a', 1], [new Date(0)], [['nested']], [Buffer.from('x')], ['a', {}]]) {
      expect(arrayParameter(values)).toBe(values);
    }
  });
});

describe('arrays of strings through PostgreSQL', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore('postgres');
  });
  afterAll(async () => {
    await store?.close();
  });

  it('arrive element for element, nulls as nulls', async () => {
    const values = [...TRICKY, null];
    const r = await store.db.query<{ v: Array<string | null>; nulls: number }>('select $1::text[] as v, array_position($1::text[], null) as nulls', [values]);
    expect(r.rows[0]?.v).toEqual(values);
    expect(r.rows[0]?.nulls).toBe(values.length);
  });

  it('arrive as uuid[] and jsonb[] too, and empty as empty', async () => {
    const ids = ['0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b', '00000000-0000-4000-8000-000000000001'];
    const docs = [JSON.stringify({ quote: 'a "b" \\ c' }), JSON.stringify(['x'])];
    const r = await store.db.query<{ ids: string[]; docs: unknown[]; empty: number }>(
      'select $1::uuid[]::text[] as ids, $2::jsonb[]::text[] as docs, cardinality($3::text[]) as empty',
      [ids, docs, []],
    );
    expect(r.rows[0]?.ids).toEqual(ids);
    expect((r.rows[0]?.docs as string[]).map((d) => JSON.parse(d))).toEqual([{ quote: 'a "b" \\ c' }, ['x']]);
    expect(r.rows[0]?.empty).toBe(0);
  });
});
