import { describe, expect, it } from 'vitest';
import { userHash } from '../ingest/ingest.js';
import type { UserByExternalIdRow } from '../store/observed/by-external-id.js';
import type { SourceUser } from '../connector/connector.js';
import { mergeGroupPatch, mergeUserPatch, observedUser, PARTIAL_NOT_OBSERVED } from './merge-patch.js';
import { userContent } from './to-records.js';

const observed: SourceUser = {
  externalId: 'e-1',
  userName: 'ana@contoso.onmicrosoft.com',
  email: 'Ana.Rivera@contoso.com',
  emails: [{ value: 'Ana.Rivera@contoso.com', type: 'work', primary: true }],
  givenName: 'Ana',
  familyName: 'Lopez',
  displayName: 'Ana Lopez',
  company: 'Contoso',
  active: true,
  attributes: { userPrincipalName: 'ana@contoso.onmicrosoft.com', jobTitle: 'Engineer', department: 'R&D' },
};

const merged = (patch: Parameters<typeof mergeUserPatch>[1], base: SourceUser | null = observed) => {
  const outcome = mergeUserPatch(base ?? undefined, patch);
  if (!('record' in outcome)) throw new Error(`skipped: ${outcome.skipped.reason}`);
  return outcome.record;
};

describe('mergeUserPatch', () => {
  it('accountEnabled false alone: inactive, everything else as observed', () => {
    expect(merged({ externalId: 'e-1', active: false })).toEqual({ ...observed, active: false });
  });

  it('a rename keeps the address, the user name and the attributes', () => {
    expect(merged({ externalId: 'e-1', familyName: 'Rivera', displayName: 'Ana Rivera' })).toEqual({ ...observed, familyName: 'Rivera', displayName: 'Ana Rivera' });
  });

  it('null clears a field, absent keeps it; attributes merge key by key', () => {
    const user = merged({ externalId: 'e-1', givenName: null, company: undefined, attributes: { jobTitle: null } });
    expect(user.givenName).toBeNull();
    expect(user.company).toBe('Contoso');
    expect(user.attributes).toEqual({ userPrincipalName: 'ana@contoso.onmicrosoft.com', jobTitle: null, department: 'R&D' });
    expect(observed.attributes?.['jobTitle']).toBe('Engineer'); // the observed record is not changed in place
  });

  it('a new address without `emails` replaces the observed list with the one the address makes', () => {
    const user = merged({ externalId: 'e-1', email: 'ana@fabrikam.com' });
    expect(userContent(user).emails).toEqual([{ primary: true, type: 'work', value: 'ana@fabrikam.com' }]);
    const sent = merged({ externalId: 'e-1', email: 'ana@fabrikam.com', emails: [{ value: 'ana@fabrikam.com', type: 'home' }] });
    expect(sent.emails).toEqual([{ value: 'ana@fabrikam.com', type: 'home' }]);
  });

  it('nothing observed: skipped, naming what is missing, unless the patch can create the user', () => {
    const outcome = mergeUserPatch(undefined, { externalId: 'e-9', active: false, displayName: 'X' });
    expect(outcome).toEqual({ skipped: { externalId: 'e-9', reason: PARTIAL_NOT_OBSERVED, detail: expect.stringContaining('without userName, email') } });
    expect(merged({ externalId: 'e-9', userName: 'x@contoso.com', email: 'x@contoso.com', active: true }, null)).toEqual({
      externalId: 'e-9',
      userName: 'x@contoso.com',
      email: 'x@contoso.com',
      active: true,
      attributes: {},
    });
  });
});

describe('observedUser', () => {
  const row: UserByExternalIdRow = {
    external_id: 'e-1',
    user_name: 'ana@contoso.onmicrosoft.com',
    email: 'ana.rivera@contoso.com', // ingest stores the correlation key, lower-cased
    emails: [{ value: 'Ana.Rivera@contoso.com', type: 'work', primary: true }],
    given_name: 'Ana',
    family_name: 'Lopez',
    display_name: 'Ana Lopez',
    company: 'Contoso',
    active: true,
    attributes: { userPrincipalName: 'ana@contoso.onmicrosoft.com', jobTitle: 'Engineer', department: 'R&D' },
  };

  it('gives back the address as the connector gave it, so an empty patch hashes as stored', () => {
    expect(observedUser(row)).toEqual(observed);
    expect(userHash(userContent(merged({ externalId: 'e-1' }, observedUser(row))))).toBe(userHash(userContent(observed)));
  });

  it('a user without an address stays without one', () => {
    expect(observedUser({ ...row, email: null, emails: [{ value: 'not an address', type: 'other' }] }).email).toBeNull();
  });
});

describe('mergeGroupPatch', () => {
  const group = { externalId: 'g-1', displayName: 'Finance', aliases: ['fin'] };

  it('no displayName: the observed name and aliases stay; members come from the patch or stay untouched', () => {
    expect(mergeGroupPatch(group, { externalId: 'g-1', memberExternalIds: ['e-1'] })).toEqual({ record: { ...group, memberExternalIds: ['e-1'] } });
    expect(mergeGroupPatch(group, { externalId: 'g-1' })).toEqual({ record: group });
    expect(mergeGroupPatch(group, { externalId: 'g-1', displayName: 'Finance EMEA' })).toEqual({ record: { ...group, displayName: 'Finance EMEA' } });
  });

  it('nothing observed: needs a displayName', () => {
    expect(mergeGroupPatch(undefined, { externalId: 'g-2', memberExternalIds: [] })).toMatchObject({ skipped: { externalId: 'g-2', reason: PARTIAL_NOT_OBSERVED } });
    expect(mergeGroupPatch(undefined, { externalId: 'g-2', displayName: 'New' })).toEqual({ record: { externalId: 'g-2', displayName: 'New' } });
  });
});
