import { describe, expect, it } from 'vitest';
import { mapGroupEntry, mapUserChange, USER_SELECT, userSelect } from './map.js';

// Literal elements of Microsoft Graph delta rounds: an updated object is sent "by its id with at
// least the properties that have been updated" (learn.microsoft.com/graph/delta-query-overview).
const ID = '87d349ed-44d7-43e1-9a83-5f2406dee5bd';

describe('Entra delta records: users', () => {
  it('a user disabled in Entra: {id, accountEnabled: false} is a patch of `active` alone', () => {
    expect(mapUserChange(JSON.parse(`{"id": "${ID}", "accountEnabled": false}`))).toEqual({ kind: 'patch', patch: { externalId: ID, active: false } });
  });

  it('a renamed user: surname and displayName only, no userPrincipalName, no mail', () => {
    expect(mapUserChange(JSON.parse(`{"id": "${ID}", "surname": "Rivera", "displayName": "Ana Rivera"}`))).toEqual({
      kind: 'patch',
      patch: { externalId: ID, familyName: 'Rivera', displayName: 'Ana Rivera' },
    });
  });

  it('a property sent as null clears it; attributes carry only what was sent', () => {
    expect(mapUserChange({ id: ID, jobTitle: null, givenName: null, companyName: 'Contoso' })).toEqual({
      kind: 'patch',
      patch: { externalId: ID, givenName: null, company: 'Contoso', attributes: { jobTitle: null } },
    });
  });

  it('a new mail alone sets the address; with the UPN, the UPN is the address when mail is null', () => {
    expect(mapUserChange({ id: ID, mail: 'Ana.Rivera@contoso.com' })).toEqual({
      kind: 'patch',
      patch: { externalId: ID, email: 'Ana.Rivera@contoso.com', emails: [{ value: 'Ana.Rivera@contoso.com', type: 'work', primary: true }] },
    });
    expect(mapUserChange({ id: ID, mail: null, userPrincipalName: 'ana@contoso.onmicrosoft.com' })).toEqual({
      kind: 'patch',
      patch: {
        externalId: ID,
        userName: 'ana@contoso.onmicrosoft.com',
        email: 'ana@contoso.onmicrosoft.com',
        emails: [{ value: 'ana@contoso.onmicrosoft.com', type: 'work', primary: true }],
        attributes: { userPrincipalName: 'ana@contoso.onmicrosoft.com' },
      },
    });
  });

  it('a UPN change without mail, or mail cleared without the UPN, cannot say the address: read the user whole', () => {
    expect(mapUserChange({ id: ID, userPrincipalName: 'ana@contoso.onmicrosoft.com' })).toEqual({ kind: 'read', id: ID });
    expect(mapUserChange({ id: ID, mail: null })).toEqual({ kind: 'read', id: ID });
  });

  it('a record with every selected property still maps whole; a removal is a removal', () => {
    const full = {
      id: ID,
      userPrincipalName: 'ana@contoso.onmicrosoft.com',
      mail: null,
      displayName: 'Ana Rivera',
      givenName: 'Ana',
      surname: 'Rivera',
      accountEnabled: false,
      companyName: null,
      jobTitle: 'Engineer',
      department: null,
      employeeType: 'Contractor',
      userType: 'Member',
    };
    expect(mapUserChange(full)).toEqual({
      kind: 'user',
      user: {
        externalId: ID,
        userName: 'ana@contoso.onmicrosoft.com',
        email: 'ana@contoso.onmicrosoft.com',
        emails: [{ value: 'ana@contoso.onmicrosoft.com', type: 'work', primary: true }],
        givenName: 'Ana',
        familyName: 'Rivera',
        displayName: 'Ana Rivera',
        company: null,
        active: false,
        attributes: { userPrincipalName: 'ana@contoso.onmicrosoft.com', userType: 'Member', jobTitle: 'Engineer', department: null, employeeType: 'Contractor' },
      },
    });
    expect(mapUserChange({ '@odata.type': '#microsoft.graph.user', id: ID, '@removed': { reason: 'changed' } })).toEqual({ kind: 'removed', id: ID });
  });

  it('properties a source maps for rules are selected and kept; a record needs them too to map whole', () => {
    const extra = ['officeLocation', 'onPremisesExtensionAttributes'];
    expect(userSelect(['JOBTITLE', ...extra])).toBe([...USER_SELECT, ...extra].join(','));
    const full = Object.fromEntries([...USER_SELECT.map((p) => [p, null]), ['id', ID], ['userPrincipalName', 'ana@contoso.onmicrosoft.com']]);
    const whole = mapUserChange({ ...full, officeLocation: 'Berlin', onPremisesExtensionAttributes: { extensionAttribute1: 'Contractor' } }, extra);
    expect(whole.kind === 'user' && whole.user.attributes).toMatchObject({ officeLocation: 'Berlin', onPremisesExtensionAttributes: { extensionAttribute1: 'Contractor' } });
    // Without the extra properties, a record with every other one is a patch, not a user whose office is unknown.
    expect(mapUserChange(full, extra).kind).toBe('patch');
    expect(mapUserChange({ id: ID, officeLocation: null }, extra)).toEqual({ kind: 'patch', patch: { externalId: ID, attributes: { officeLocation: null } } });
  });

  it('an empty UPN is still no user name; a malformed record is skipped as invalid', () => {
    expect(mapUserChange({ id: ID, userPrincipalName: '' })).toMatchObject({ kind: 'skipped', skipped: { externalId: ID, reason: 'no-user-name' } });
    expect(mapUserChange({ id: ID, accountEnabled: 'no' })).toMatchObject({ kind: 'skipped', skipped: { externalId: ID, reason: 'invalid-record' } });
  });
});

describe('Entra delta records: groups', () => {
  it('members@delta only: a group entry without a name (the observed name stays)', () => {
    const raw = JSON.parse(`{"@odata.type": "#microsoft.graph.group", "id": "${ID}",
      "members@delta": [{"@odata.type": "#microsoft.graph.user", "id": "u1"}, {"@odata.type": "#microsoft.graph.user", "id": "u2", "@removed": {"reason": "deleted"}}]}`);
    expect(mapGroupEntry(raw)).toEqual({
      kind: 'group',
      id: ID,
      displayName: undefined,
      members: [
        { id: 'u1', type: 'user', removed: false },
        { id: 'u2', type: 'user', removed: true },
      ],
    });
  });

  it('a description change only: a group entry with no name and no members', () => {
    expect(mapGroupEntry({ id: ID, description: 'Finance team' })).toEqual({ kind: 'group', id: ID, displayName: undefined, members: [] });
  });
});
