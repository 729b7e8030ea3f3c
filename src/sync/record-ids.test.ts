import { v5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { recordId } from './record-ids.js';

const NAMESPACE = '6f1c1b9e-4c7a-4d0e-9a8e-2f3b5d7c9e11';

describe('recordId', () => {
  it('is the RFC 4122 version-5 uuid of (source, kind, external id), as the uuid package computes it', () => {
    for (const [source, kind, externalId] of [
      ['corp', 'user', '0b1c2d3e-entry-uuid'],
      ['corp', 'group', 'cn=Admins,ou=groups,dc=example,dc=com'],
      ['entra', 'user', 'ünïcødé 😀'],
      // Longer than the reused input buffer.
      ['corp', 'group', `cn=${'x'.repeat(5000)},dc=example,dc=com`],
    ] as const) {
      expect(recordId(source, kind, externalId)).toBe(v5(`${source}\u0000${kind}\u0000${externalId}`, NAMESPACE));
    }
  });

  it('gives each call its own string, though the text is built in one shared buffer', () => {
    const a = recordId('corp', 'user', 'a');
    const b = recordId('corp', 'user', 'b');
    expect(a).not.toBe(b);
    expect(recordId('corp', 'user', 'a')).toBe(a);
  });
});
