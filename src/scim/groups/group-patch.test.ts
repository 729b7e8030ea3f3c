import { describe, expect, it } from 'vitest';
import { normalizeRequest } from '../compat/normalize-request.js';
import { planGroupPatch } from './group-patch.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';
const plan = (...Operations: unknown[]) => planGroupPatch(normalizeRequest({ method: 'PATCH', resourceType: 'Groups', body: { schemas: [PATCH_OP], Operations } }));

describe('planGroupPatch', () => {
  it('adds and removes members incrementally (Entra ID value-array remove included)', () => {
    const p = plan({ op: 'Add', path: 'members', value: [{ value: U1, display: 'One' }, { value: U2 }] }, { op: 'Remove', path: 'members', value: [{ value: U2 }] });
    expect(p.members).toBeUndefined();
    expect([...p.add]).toEqual([[U1, 'One']]);
    expect([...p.remove]).toEqual([U2]);
  });

  it('removes members selected by value filters joined with or', () => {
    expect([...plan({ op: 'remove', path: `members[value eq "${U1}" or value eq "${U2}"]` }).remove]).toEqual([U1, U2]);
    expect(() => plan({ op: 'remove', path: 'members[display eq "x"]' })).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidFilter' }));
  });

  it('replace and remove-all set the whole list; later adds extend it', () => {
    const replaced = plan({ op: 'replace', path: 'members', value: [{ value: U1 }] }, { op: 'add', path: 'members', value: [{ value: U2 }] });
    expect([...(replaced.members?.keys() ?? [])]).toEqual([U1, U2]);
    expect(replaced.add.size).toBe(0);
    expect(plan({ op: 'remove', path: 'members' }).members?.size).toBe(0);
  });

  it('Okta rename: pathless replace with the read-only id', () => {
    expect(plan({ op: 'replace', value: { id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b', displayName: 'Test SCIMv2' } })).toMatchObject({ displayName: 'Test SCIMv2' });
    expect(plan({ op: 'remove', path: 'externalId' }).externalId).toBeNull();
  });

  it('the reference collection: a bare member id and a displayName for display', () => {
    expect([...plan({ op: 'add', path: 'members', value: 'string id 1' }).add]).toEqual([['string id 1', null]]);
    expect([...plan({ op: 'add', path: 'members', value: [{ displayName: 'new User', value: U1 }] }).add]).toEqual([[U1, 'new User']]);
  });

  it('refuses what a Group does not have', () => {
    for (const op of [{ op: 'replace', path: 'title', value: 'x' }, { op: 'remove', path: 'displayName' }, { op: 'replace', path: 'members[value eq "x"]', value: [] }, { op: 'frob', path: 'members' }]) {
      expect(() => plan(op)).toThrow(expect.objectContaining({ status: 400 }));
    }
    expect(() => planGroupPatch({ Operations: [] })).toThrow(expect.objectContaining({ scimType: 'invalidSyntax' }));
  });
});
