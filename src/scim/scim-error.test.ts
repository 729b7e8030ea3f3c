import SCIMMY from 'scimmy';
import { describe, expect, it } from 'vitest';
import { ScimError, toScimError, toScimErrorBody } from './scim-error.js';

describe('ScimError', () => {
  it('serialises to the RFC 7644 §3.12 body, status as a string', () => {
    const error = new ScimError(400, 'invalidFilter', 'Filtering on "nickName" is not supported');
    expect(toScimErrorBody(error)).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      scimType: 'invalidFilter',
      detail: 'Filtering on "nickName" is not supported',
    });
    expect(toScimErrorBody(new ScimError(404, undefined, ''))).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
  });

  it('accepts only error statuses', () => {
    expect(() => new ScimError(200, undefined, 'ok')).toThrow(RangeError);
    expect(() => new ScimError(400.5, undefined, 'x')).toThrow(RangeError);
  });

  it('maps scimmy errors and hides anything else behind a 500', () => {
    const scimmy = new SCIMMY.Types.Error(400, 'invalidPath', "Invalid path 'x'");
    expect(toScimError(scimmy)).toMatchObject({ status: 400, scimType: 'invalidPath', detail: "Invalid path 'x'", cause: scimmy, hidesCause: false });
    const own = new ScimError(409, 'uniqueness', 'userName is taken');
    expect(toScimError(own)).toBe(own);
    const internal = new Error('connect ECONNREFUSED 10.0.0.5:5432');
    const mapped = toScimError(internal);
    expect(mapped).toMatchObject({ status: 500, scimType: undefined, cause: internal });
    expect(toScimErrorBody(mapped).detail).not.toContain('ECONNREFUSED');
  });

  it("passes a scimmy error's message only when it is one of scimmy's validation messages", () => {
    const runtime = new SCIMMY.Types.Error(400, 'invalidValue', "Cannot add property schemas, object is not extensible for 'add' op of operation 1 in PatchOp request body");
    const mapped = toScimError(runtime);
    expect(mapped).toMatchObject({ status: 400, scimType: 'invalidValue', hidesCause: true, cause: runtime });
    expect(toScimErrorBody(mapped)).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidValue', detail: 'The request cannot be processed as sent.' });
    const typeError = toScimError(new TypeError("Cannot read properties of undefined (reading 'token')"));
    expect(typeError).toMatchObject({ status: 500, hidesCause: true });
    expect(toScimErrorBody(typeError).detail).not.toContain('token');
  });
});
