/**
 * A SCIM filter or sort, from its text to the rows it selects: parsed and resolved on the SCIM
 * side (src/scim/filter), turned into SQL here, run on PGlite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FilterNode } from '../../scim/filter/ast.js';
import type { ResourceType } from '../../scim/filter/attributes.js';
import { parseFilter } from '../../scim/filter/parse-filter.js';
import { resolveFilter } from '../../scim/filter/resolve-filter.js';
import { resolveSort, type SortOptions } from '../../scim/filter/sort.js';
import { ScimError } from '../../scim/scim-error.js';
import type { Db } from '../db.js';
import { migrate } from '../migrate.js';
import { createPgliteDb } from '../pglite.js';
import { filterSql, type SqlFragment } from './scim-filter-sql.js';
import { orderSql } from './scim-order-sql.js';

const defaultAlias = (resourceType: ResourceType) => (resourceType === 'Users' ? 'u' : 'g');

/** The SCIM server's path from a parsed filter to SQL: resolved (may refuse with a ScimError), then compiled. */
function filterToSql(filter: FilterNode, options: { resourceType: ResourceType; alias?: string; paramOffset?: number }): SqlFragment {
  const where = resolveFilter(filter, options.resourceType);
  return filterSql(where, { alias: options.alias ?? defaultAlias(options.resourceType), paramOffset: options.paramOffset ?? 0 });
}

/** Likewise for `sortBy` / `sortOrder`: the `order by` clause. */
function sortToSql(options: SortOptions & { alias?: string }): { sql: string } {
  return { sql: orderSql(resolveSort(options), options.alias ?? defaultAlias(options.resourceType)) };
}

const ALICE = '0a000000-0000-4000-8000-000000000001';
const BOB = '0b000000-0000-4000-8000-000000000002';
const CAROL = '0c000000-0000-4000-8000-000000000003';
const DAVE = '0d000000-0000-4000-8000-000000000004';
const EVE = '0e000000-0000-4000-8000-000000000005'; // source "other"
const GONE = '0f000000-0000-4000-8000-000000000006'; // soft-deleted
const ADMINS = '1a000000-0000-4000-8000-000000000001';
const EVERYONE = '1b000000-0000-4000-8000-000000000002';
const EMPTY = '1c000000-0000-4000-8000-000000000003';
const OTHER_ADMINS = '1d000000-0000-4000-8000-000000000004';
const CAROL_NAME = "o'malley";
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let db: Db;

beforeAll(async () => {
  db = await createPgliteDb();
  await migrate(db);
  await db.exec(`insert into sources (id, kind) values ('scim', 'scim'), ('other', 'scim')`);
  const user = `insert into source_users (source_id, id, external_id, user_name, email, emails, given_name, family_name,
      display_name, company, active, attributes, content_hash, created_at, updated_at, deleted_at)
    values ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12::jsonb, 'h', $13, $14, $15)`;
  const rows: unknown[][] = [
    ['scim', ALICE, 'ext-alice', 'alice@x.com', 'alice@x.com',
      [{ value: 'alice@x.com', type: 'work', primary: true }, { value: 'Alice.Home@Home.org', type: 'home' }],
      'Alice', 'Liddell', 'Alice Liddell', 'Acme', true,
      { title: 'Engineer', department: 'R&D', employeeNumber: '100', manager: { value: BOB } },
      '2024-01-01T00:00:00Z', '2024-01-10T00:00:00Z', null],
    ['scim', BOB, 'EXT-bob', 'bob@x.com', 'bob@work.com', [{ value: 'bob@work.com', type: 'work', primary: true }],
      'Bob', null, 'Bob 50%_off\\', null, false, { title: '' }, '2024-02-01T00:00:00Z', '2024-03-01T00:00:00Z', null],
    ['scim', CAROL, null, "o'malley", null, [], null, null, null, null, true, {}, '2024-03-01T00:00:00Z', '2024-06-01T00:00:00.123456Z', null],
    // emails that are not an array must not break a query
    ['scim', DAVE, null, 'dave@x.com', null, { value: 'dave@x.com' }, null, null, 'Dave', null, true, {}, '2024-04-01T00:00:00Z', '2024-04-02T00:00:00Z', null],
    ['other', EVE, 'ext-alice', 'alice@x.com', 'alice@x.com', [{ value: 'alice@x.com', type: 'work', primary: true }],
      null, null, null, null, true, {}, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', null],
    ['scim', GONE, null, 'gone@x.com', null, [], null, null, null, null, true, {}, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '2024-05-01T00:00:00Z'],
  ];
  for (const row of rows) {
    await db.query(user, row.map((v, i) => ((i === 5 || i === 11) && v !== null ? JSON.stringify(v) : v)));
  }
  const group = `insert into source_groups (source_id, id, external_id, display_name, content_hash, created_at, updated_at)
    values ($1, $2, $3, $4, 'h', $5, $6)`;
  await db.query(group, ['scim', ADMINS, 'g-ext-1', 'Admins', '2024-01-01T00:00:00Z', '2024-01-05T00:00:00Z']);
  await db.query(group, ['scim', EVERYONE, null, 'Everyone', '2024-01-02T00:00:00Z', '2024-02-05T00:00:00Z']);
  await db.query(group, ['scim', EMPTY, null, 'Empty', '2024-01-03T00:00:00Z', '2024-03-05T00:00:00Z']);
  await db.query(group, ['other', OTHER_ADMINS, 'g-ext-1', 'Admins', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z']);
  const member = `insert into source_group_members (source_id, group_id, user_id) values ($1, $2, $3)`;
  for (const [source, g, u] of [
    ['scim', ADMINS, ALICE],
    ['scim', ADMINS, BOB],
    ['scim', EVERYONE, ALICE],
    ['scim', EVERYONE, CAROL],
    ['other', OTHER_ADMINS, EVE],
  ]) {
    await db.query(member, [source, g, u]);
  }
});

afterAll(async () => {
  await db?.close();
});

/** The userNames of source "scim" matching `filter` — scoped the way the SCIM server will scope them. */
async function users(filter: string): Promise<string[]> {
  const where = filterToSql(parseFilter(filter), { resourceType: 'Users', alias: 'u', paramOffset: 1 });
  const result = await db.query<{ user_name: string }>(
    `select u.user_name from source_users u where u.source_id = $1 and u.deleted_at is null and ${where.sql} order by u.user_name`,
    ['scim', ...where.params],
  );
  return result.rows.map((r) => r.user_name);
}

async function groups(filter: string): Promise<string[]> {
  const where = filterToSql(parseFilter(filter), { resourceType: 'Groups', alias: 'g', paramOffset: 1 });
  const result = await db.query<{ display_name: string }>(
    `select g.display_name from source_groups g where g.source_id = $1 and g.deleted_at is null and ${where.sql} order by g.display_name`,
    ['scim', ...where.params],
  );
  return result.rows.map((r) => r.display_name);
}

async function rejected(run: () => Promise<unknown>): Promise<ScimError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    return error as ScimError;
  }
  throw new Error('expected a ScimError');
}

const ALL = ['alice@x.com', 'bob@x.com', 'dave@x.com', "o'malley"];

describe('filterToSql on Users', () => {
  it('compares userName case-insensitively, through the lower(user_name) index expression', async () => {
    expect(await users('userName eq "ALICE@x.com"')).toEqual(['alice@x.com']);
    expect(filterToSql(parseFilter('userName eq "a"'), { resourceType: 'Users', paramOffset: 1 })).toEqual({
      sql: '(lower(u.user_name) = lower($2::text))',
      params: ['a'],
    });
  });

  it('answers the Entra ID test-connection probe of a random userName with nothing', async () => {
    expect(await users('userName eq "5c4d0e5b-6a12-4b1c-9a1e-0f5d3c2b1a09"')).toEqual([]);
  });

  it('treats injection attempts as plain values', async () => {
    expect(await users(`userName eq "x' or 1=1 --"`)).toEqual([]);
    expect(await users(`userName eq "alice@x.com') or ('1'='1"`)).toEqual([]);
    expect(await users(`userName eq "o'malley"`)).toEqual(["o'malley"]);
    expect(await users('displayName co "%"')).toEqual(['bob@x.com']);
    expect(await users('displayName co "50%_o"')).toEqual(['bob@x.com']);
    expect(await users('displayName co "_"')).toEqual(['bob@x.com']);
    expect(await users(String.raw`displayName ew "\\"`)).toEqual(['bob@x.com']);
  });

  it('compares externalId exactly (caseExact)', async () => {
    expect(await users('externalId eq "EXT-bob"')).toEqual(['bob@x.com']);
    expect(await users('externalId eq "ext-bob"')).toEqual([]);
    expect(await users('externalId sw "ext-"')).toEqual(['alice@x.com']);
  });

  it('supports co, sw, ew, gt, ge, lt, le on strings', async () => {
    expect(await users('userName co "@X.COM"')).toEqual(['alice@x.com', 'bob@x.com', 'dave@x.com']);
    expect(await users('userName sw "B"')).toEqual(['bob@x.com']);
    expect(await users('userName ew ".COM"')).toEqual(['alice@x.com', 'bob@x.com', 'dave@x.com']);
    expect(await users('userName gt "bob@x.com"')).toEqual(['dave@x.com', "o'malley"]);
    expect(await users('userName ge "BOB@x.com"')).toEqual(['bob@x.com', 'dave@x.com', "o'malley"]);
    expect(await users('userName lt "bob@x.com"')).toEqual(['alice@x.com']);
    expect(await users('userName le "bob@x.com"')).toEqual(['alice@x.com', 'bob@x.com']);
  });

  it('matches any e-mail value, with or without a value filter', async () => {
    expect(await users('emails.value eq "ALICE.HOME@home.org"')).toEqual(['alice@x.com']);
    expect(await users('emails eq "bob@work.com"')).toEqual(['bob@x.com']);
    expect(await users('emails[type eq "work"].value eq "alice.home@home.org"')).toEqual([]);
    expect(await users('emails[type eq "HOME"].value eq "alice.home@home.org"')).toEqual(['alice@x.com']);
    expect(await users('emails[type eq "work" and value co "@x.com"]')).toEqual(['alice@x.com']);
    expect(await users('emails[primary eq true].value ew "WORK.com"')).toEqual(['bob@x.com']);
    expect(await users('emails.type eq "home"')).toEqual(['alice@x.com']);
    expect(await users('emails pr')).toEqual(['alice@x.com', 'bob@x.com']);
    expect(await users('not (emails pr)')).toEqual(['dave@x.com', "o'malley"]);
    // any value that differs (RFC 7644: a multi-valued attribute matches if any value matches)
    expect(await users('emails.value ne "alice@x.com"')).toEqual(['alice@x.com', 'bob@x.com']);
    expect(await users('not (emails.value eq "alice@x.com")')).toEqual(['bob@x.com', 'dave@x.com', "o'malley"]);
  });

  it('compares booleans with eq and ne only', async () => {
    expect(await users('active eq false')).toEqual(['bob@x.com']);
    expect(await users('active ne true')).toEqual(['bob@x.com']);
    expect(await users('active eq "False"')).toEqual(['bob@x.com']);
    for (const filter of ['active gt true', 'active co "t"', 'active eq "yes"', 'active eq 1']) {
      const error = await rejected(() => users(filter));
      expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    }
    expect((await rejected(() => users('active ge false'))).detail).toMatch(/"ge" is not defined for the boolean attribute "active"/);
  });

  it('compares meta timestamps chronologically', async () => {
    expect(await users('meta.lastModified gt "2024-02-01T00:00:00Z"')).toEqual(['bob@x.com', 'dave@x.com', "o'malley"]);
    expect(await users('meta.lastModified ge "2024-03-01T00:00:00Z"')).toEqual(['bob@x.com', 'dave@x.com', "o'malley"]);
    expect(await users('meta.lastModified lt "2024-03-01T01:00:00+01:00"')).toEqual(['alice@x.com']);
    expect(await users('meta.lastModified le "2024-03-01T01:00:00+01:00"')).toEqual(['alice@x.com', 'bob@x.com']);
    expect(await users('meta.lastModified eq "2024-06-01T00:00:00.123456Z"')).toEqual(["o'malley"]);
    expect(await users('meta.lastModified ne "2024-06-01T00:00:00.123456Z"')).toEqual(['alice@x.com', 'bob@x.com', 'dave@x.com']);
    expect(await users('meta.created gt 2015-10-10T14:38:21.8617979-07:00')).toEqual(ALL);
    expect(await users('meta.created lt "2024-01-01"')).toEqual([]);
    for (const filter of ['meta.lastModified gt "2024-02-31T00:00:00Z"', 'meta.lastModified gt "yesterday"', 'meta.lastModified gt 5', 'meta.created co "2024"']) {
      expect(await rejected(() => users(filter))).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    }
  });

  it('reads pr, null and ne with RFC 7643 §2.5 null semantics', async () => {
    expect(await users('title pr')).toEqual(['alice@x.com']);
    expect(await users('title eq null')).toEqual(['dave@x.com', "o'malley"]);
    expect(await users('title ne null')).toEqual(['alice@x.com', 'bob@x.com']);
    expect(await users('title ne "engineer"')).toEqual(['bob@x.com', 'dave@x.com', "o'malley"]);
    expect(await users('displayName pr')).toEqual(['alice@x.com', 'bob@x.com', 'dave@x.com']);
    expect((await rejected(() => users('title gt null'))).detail).toMatch(/only eq and ne/);
  });

  it('negates with not, treating an unassigned attribute as not matching', async () => {
    expect(await users('not (userName eq "alice@x.com")')).toEqual(['bob@x.com', 'dave@x.com', "o'malley"]);
    expect(await users('not (title eq "Engineer")')).toEqual(['bob@x.com', 'dave@x.com', "o'malley"]);
    expect(await users('not (not (title eq "Engineer"))')).toEqual(['alice@x.com']);
  });

  it('honours and/or precedence and grouping', async () => {
    expect(await users('(userName sw "a" or userName sw "b") and active eq true')).toEqual(['alice@x.com']);
    expect(await users('userName sw "a" or userName sw "b" and active eq true')).toEqual(['alice@x.com']);
    expect(await users('userName sw "b" or userName sw "a" and active eq false')).toEqual(['bob@x.com']);
    expect(await users('name.FamilyName eq Liddell and (emails.Value co x.com or emails.Value co work.com)')).toEqual(['alice@x.com']);
  });

  it('maps names, the enterprise extension and ids', async () => {
    expect(await users('name.givenName eq "ALICE"')).toEqual(['alice@x.com']);
    expect(await users('name.familyName pr')).toEqual(['alice@x.com']);
    expect(await users(`${ENTERPRISE}:department eq "r&d"`)).toEqual(['alice@x.com']);
    expect(await users('department eq "R&D"')).toEqual(['alice@x.com']);
    expect(await users(`${ENTERPRISE}:employeeNumber eq 100`)).toEqual(['alice@x.com']);
    expect(await users('organization eq "acme"')).toEqual(['alice@x.com']);
    expect(await users(`manager eq "${BOB}"`)).toEqual(['alice@x.com']);
    expect(await users(`${ENTERPRISE}:manager.value eq "${BOB}"`)).toEqual(['alice@x.com']);
    expect(await users(`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@x.com"`)).toEqual(['bob@x.com']);
    expect(await users(`id eq "${ALICE.toUpperCase()}"`)).toEqual(['alice@x.com']);
    expect(await users(`id eq "${EVE}"`)).toEqual([]);
    expect(await users('id eq "not-a-uuid"')).toEqual([]);
    expect(await users('id ne "not-a-uuid"')).toEqual(ALL);
    expect(await users(`id ne "${ALICE}"`)).toEqual(['bob@x.com', 'dave@x.com', "o'malley"]);
    expect(await users('id sw "0A000000"')).toEqual(['alice@x.com']);
  });

  it('names an attribute the server cannot filter on', async () => {
    for (const [filter, name] of [
      ['nickName eq "x"', 'nickName'],
      ['urn:ietf:params:scim:schemas:core:2.0:User:department eq "x"', 'urn:ietf:params:scim:schemas:core:2.0:User:department'],
      ['emails[foo eq "x"]', 'emails.foo'],
      ['emails.foo eq "x"', 'emails.foo'],
      ['userName.x eq "y"', 'userName.x'],
      ['members.value eq "x"', 'members.value'],
    ] as const) {
      const error = await rejected(() => users(filter));
      expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' });
      expect(error.detail).toContain(`"${name}"`);
    }
    expect((await rejected(() => users('userName[value eq "x"]'))).detail).toMatch(/not a multi-valued attribute/);
  });
});

describe('filterToSql on Groups', () => {
  it('compares displayName case-insensitively and externalId exactly', async () => {
    expect(await groups('displayName eq "admins"')).toEqual(['Admins']);
    expect(await groups('externalId eq "g-ext-1"')).toEqual(['Admins']);
    expect(await groups('externalId eq "G-EXT-1"')).toEqual([]);
  });

  it('filters on members through source_group_members, within the same source', async () => {
    expect(await groups(`members.value eq "${ALICE}"`)).toEqual(['Admins', 'Everyone']);
    expect(await groups(`members eq "${CAROL}"`)).toEqual(['Everyone']);
    expect(await groups(`members[value eq "${BOB}"]`)).toEqual(['Admins']);
    expect(await groups(`members.value eq "${EVE}"`)).toEqual([]);
    expect(await groups(`id eq "${EVERYONE}" and members.value eq "${CAROL}"`)).toEqual(['Everyone']);
    expect(await groups('members pr')).toEqual(['Admins', 'Everyone']);
    expect(await groups('not (members pr)')).toEqual(['Empty']);
  });

  it('matches nothing, without a SQL error, for a member value that is not a uuid', async () => {
    expect(await groups('members.value eq "u1091"')).toEqual([]);
    expect(await groups(`members.value eq "x'; drop table source_groups; --"`)).toEqual([]);
    expect(await groups('not (members.value eq "u1091")')).toEqual(['Admins', 'Empty', 'Everyone']);
  });

  it('compares meta.lastModified and rejects unsupported member attributes', async () => {
    expect(await groups('meta.lastModified gt "2024-02-01T00:00:00Z"')).toEqual(['Empty', 'Everyone']);
    expect(await rejected(() => groups('members.display eq "x"'))).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    expect(await rejected(() => groups('userName eq "x"'))).toMatchObject({ status: 400, scimType: 'invalidFilter' });
  });
});

describe('filterToSql options', () => {
  it('numbers placeholders after paramOffset and uses the given alias', () => {
    const fragment = filterToSql(parseFilter(`displayName eq "a" or members.value eq "${ALICE}"`), {
      resourceType: 'Groups',
      alias: 'grp',
      paramOffset: 3,
    });
    expect(fragment.params).toEqual(['a', ALICE]);
    expect(fragment.sql).toContain('lower(grp.display_name) = lower($4::text)');
    expect(fragment.sql).toContain('grp_members.user_id = $5::uuid');
    expect(fragment.sql).toContain('grp_members.group_id = grp.id');
  });

  it('refuses an alias that is not a plain identifier', () => {
    expect(() => filterToSql(parseFilter('userName eq "a"'), { resourceType: 'Users', alias: 'u; drop' })).toThrow(TypeError);
    expect(() => sortToSql({ resourceType: 'Users', sortBy: 'userName', alias: 'u; drop' })).toThrow('orderSql: "u; drop" is not a plain SQL alias');
  });
});

describe('sortToSql', () => {
  async function sorted(sortBy?: string, sortOrder?: string): Promise<string[]> {
    const { sql } = sortToSql({ resourceType: 'Users', sortBy, sortOrder });
    const result = await db.query<{ user_name: string }>(
      `select u.user_name from source_users u where u.source_id = 'scim' and u.deleted_at is null ${sql}`,
    );
    return result.rows.map((r) => r.user_name);
  }

  it('orders by creation time then id without sortBy, ignoring a lone sortOrder', async () => {
    expect(await sorted()).toEqual(['alice@x.com', 'bob@x.com', "o'malley", 'dave@x.com']);
    expect(await sorted(undefined, 'descending')).toEqual(['alice@x.com', 'bob@x.com', "o'malley", 'dave@x.com']);
  });

  it('sorts case-insensitive strings through lower(), unassigned values last ascending and first descending', async () => {
    expect(await sorted('userName', 'DESCENDING')).toEqual(["o'malley", 'dave@x.com', 'bob@x.com', 'alice@x.com']);
    expect(await sorted('name.givenName')).toEqual(['alice@x.com', 'bob@x.com', CAROL_NAME, 'dave@x.com']);
    expect(await sorted('name.givenName', 'descending')).toEqual(['dave@x.com', CAROL_NAME, 'bob@x.com', 'alice@x.com']);
    expect(await sorted('meta.lastModified', 'descending')).toEqual(["o'malley", 'dave@x.com', 'bob@x.com', 'alice@x.com']);
  });

  it('sorts a multi-valued attribute by its primary (else first) value', async () => {
    expect(await sorted('emails')).toEqual(['alice@x.com', 'bob@x.com', CAROL_NAME, 'dave@x.com']);
    expect(await sorted('emails.value', 'descending')).toEqual(['dave@x.com', CAROL_NAME, 'bob@x.com', 'alice@x.com']);
  });

  it('sorts groups by displayName', async () => {
    const { sql } = sortToSql({ resourceType: 'Groups', sortBy: 'DisplayName', alias: 'g' });
    const result = await db.query<{ display_name: string }>(`select g.display_name from source_groups g where g.source_id = 'scim' ${sql}`);
    expect(result.rows.map((r) => r.display_name)).toEqual(['Admins', 'Empty', 'Everyone']);
  });

  it('rejects what it cannot sort by with invalidValue', () => {
    for (const options of [
      { resourceType: 'Users', sortBy: 'nickName' },
      { resourceType: 'Users', sortBy: 'emails.type' },
      { resourceType: 'Users', sortBy: 'userName; drop table x' },
      { resourceType: 'Groups', sortBy: 'members' },
      { resourceType: 'Users', sortBy: 'userName', sortOrder: 'up' },
    ] as const) {
      expect(() => sortToSql(options)).toThrow(expect.objectContaining({ status: 400, scimType: 'invalidValue' }));
    }
  });
});
