import { describe, expect, it } from 'vitest';
import { IngestConflictError } from '../../ingest/errors.js';
import { ConnectorError } from '../../connector/errors.js';
import { ScimError, toScimErrorBody } from '../scim-error.js';
import { scimErrorOf } from './scim-error-of.js';

const pgUnique = Object.assign(new Error('duplicate key value violates unique constraint "source_groups_external_id"'), { code: '23505' });

describe('SCIM: any error → the RFC 7644 answer, in one place', () => {
  it('a user whose userName the source already has: 409 uniqueness, naming the attribute, not the database', () => {
    const error = scimErrorOf(new IngestConflictError('user', 'userName', 'userName already exists in source "okta"', { cause: pgUnique }));
    expect(toScimErrorBody(error)).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409', scimType: 'uniqueness', detail: 'A user with this userName already exists' });
    expect(error.cause).toBeInstanceOf(IngestConflictError);
  });

  it('a group whose externalId the source already has: 409 uniqueness', () => {
    expect(toScimErrorBody(scimErrorOf(new IngestConflictError('group', 'externalId', 'externalId already exists', { cause: pgUnique })))).toMatchObject({
      status: '409',
      scimType: 'uniqueness',
      detail: 'A group with this externalId already exists',
    });
  });

  it('a ScimError is answered as it is', () => {
    const own = new ScimError(412, undefined, 'The resource has changed');
    expect(scimErrorOf(own)).toBe(own);
  });

  it('an error of the family that is not the client\'s (a connector failure): a 500 whose detail reveals nothing', () => {
    const error = scimErrorOf(new ConnectorError('connector_auth', 'ldap source "corp": bind as "cn=admin" refused'));
    expect(error.status).toBe(500);
    expect(error.hidesCause).toBe(true);
    expect(JSON.stringify(toScimErrorBody(error))).not.toContain('corp');
  });
});
