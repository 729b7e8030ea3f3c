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
});
