import { describe, expect, it } from 'vitest';
import { contentHash, stableStringify } from './content-hash.js';

// Stored rows carry these hashes: the text and the digest must never change for the same content.
describe('content hash', () => {
  it('writes object keys sorted at every depth, leaves array order alone and drops undefined properties', () => {
    const user = ['ext-1', 'Alice@Example.com', [{ value: 'a@example.com', type: 'work', primary: true }], null, undefined, true, { b: 1, a: [1, 'x', null], z: { y: undefined, x: 'é' } }];
    expect(stableStringify(user)).toBe('["ext-1","Alice@Example.com",[{"primary":true,"type":"work","value":"a@example.com"}],null,null,true,{"a":[1,"x",null],"b":1,"z":{"x":"é"}}]');
    expect(stableStringify({ z: 1, a: { c: [], b: {} } })).toBe('{"a":{"b":{},"c":[]},"z":1}');
    expect(stableStringify([undefined, Number.NaN])).toBe('[null,null]');
  });

  it('is the base64url SHA-256 of that text, equal for equal content whatever the key order', () => {
    expect(contentHash({ z: 1, a: { c: [], b: {} } })).toBe('dRctUOAjNwORgtl9evQjfxI9G8xqlDY95-4_dgZFNs8');
    expect(contentHash({ a: { b: {}, c: [] }, z: 1 })).toBe(contentHash({ z: 1, a: { c: [], b: {} } }));
    expect(contentHash(['a', 'b'])).not.toBe(contentHash(['b', 'a']));
  });

  it('gives the same text whether or not the keys were already in order (the JSON.stringify fast path)', () => {
    const inOrder = ['id', 'x@example.com', [{ primary: true, type: 'work', value: 'x@example.com' }], { dn: 'uid=x,dc=example', tags: ['b', 'a'] }, 3, null];
    const shuffled = ['id', 'x@example.com', [{ value: 'x@example.com', type: 'work', primary: true }], { tags: ['b', 'a'], dn: 'uid=x,dc=example' }, 3, null];
    expect(stableStringify(inOrder)).toBe(stableStringify(shuffled));
    expect(stableStringify(inOrder)).toBe(JSON.stringify(inOrder));
    // Keys JSON.stringify lists out of sorted order (integer-like keys come first, by number).
    expect(stableStringify({ 2: 'b', 10: 'a', x: 1 })).toBe('{"10":"a","2":"b","x":1}');
    // toJSON and undefined properties do not leak into the sorted form.
    expect(stableStringify({ a: new Date(0), b: undefined })).toBe('{"a":{}}');
    expect(stableStringify({ a: 1, b: undefined, c: [undefined] })).toBe('{"a":1,"c":[null]}');
    expect(stableStringify(undefined)).toBe('null');
  });
});
