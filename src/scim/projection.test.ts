import { describe, expect, it } from 'vitest';
import { parseProjection } from './list-query.js';
import { includesAttribute, project } from './projection.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const SCHEMAS = ['urn:ietf:params:scim:schemas:core:2.0:User', ENT];
const user = {
  schemas: SCHEMAS,
  id: 'u1',
  userName: 'a@x.com',
  name: { givenName: 'A', familyName: 'B' },
  emails: [{ value: 'a@x.com', type: 'work' }],
  [ENT]: { department: 'D', employeeNumber: '7' },
  meta: { resourceType: 'User' },
};

describe('projection', () => {
  it('attributes: id and schemas always, sub-attributes and extension attributes by path, case-insensitive', () => {
    const p = parseProjection({ attributes: `UserName,name.givenName,emails[type eq "work"],${ENT}:department` });
    expect(project(user, p, SCHEMAS)).toEqual({
      schemas: SCHEMAS,
      id: 'u1',
      userName: 'a@x.com',
      name: { givenName: 'A' },
      emails: [{ value: 'a@x.com', type: 'work' }],
      [ENT]: { department: 'D' },
    });
  });

  it('excludedAttributes removes, but never id or schemas', () => {
    const p = parseProjection({ excludedAttributes: 'id,emails,name.familyName,meta' });
    expect(project(user, p, SCHEMAS)).toEqual({ schemas: SCHEMAS, id: 'u1', userName: 'a@x.com', name: { givenName: 'A' }, [ENT]: user[ENT] });
  });

  it('tells whether members are wanted, so that they are not loaded otherwise', () => {
    const groups = ['urn:ietf:params:scim:schemas:core:2.0:Group'];
    expect(includesAttribute(parseProjection({ excludedAttributes: 'members' }), 'members', groups)).toBe(false);
    expect(includesAttribute(parseProjection({ attributes: 'displayName' }), 'members', groups)).toBe(false);
    expect(includesAttribute(parseProjection({ attributes: 'members.value' }), 'members', groups)).toBe(true);
    expect(includesAttribute(parseProjection({}), 'members', groups)).toBe(true);
  });
});
