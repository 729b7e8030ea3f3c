/**
 * Generated SCIM requests: bodies with wrong types, truncated or malformed JSON, huge and deep
 * values, filters with every operator and hostile operands, PATCH paths with value filters and
 * nonsense, list parameters out of range, path tricks and header abuse. Ids are placeholders
 * (`@@user@@`, `@@otherUser@@`, …) resolved against the daemon's records when the request is sent.
 */
import fc from 'fast-check';
import { anyJson, hostileString, hugeValue, RawJson, toJsonText, wrongValue } from './hostile.js';

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** Who the request claims to be. */
export type Auth = 'valid' | 'missing' | 'wrong' | 'basic' | 'valid-then-wrong' | 'wrong-then-valid' | 'other-source' | 'lower-case-scheme' | 'huge';

export interface ScimFuzzRequest {
  /** What the generator meant, for failure messages. */
  kind: string;
  method: string;
  /** Below `/scim/v2`, with placeholders. */
  path: string;
  auth: Auth;
  /** Extra headers, in order (may repeat). */
  headers: Array<[string, string]>;
  /** JSON text or raw bytes, with placeholders in the text. */
  body?: string | Buffer;
  /** `content-type` for the body; `null` sends none. Default application/scim+json. */
  contentType?: string | null;
  neverEnd?: boolean;
}

/** Placeholders for ids that exist at run time; `n` picks one of the pool. */
export const PLACEHOLDERS = ['@@user@@', '@@group@@', '@@otherUser@@', '@@otherGroup@@', '@@missing@@'] as const;
const id = fc.constantFrom(...PLACEHOLDERS);

const USER_ATTRIBUTES = [
  'userName', 'externalId', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'active', 'password',
  'name', 'name.givenName', 'name.familyName', 'name.formatted', 'name.middleName', 'name.honorificPrefix',
  'emails', 'emails.0', 'emails.0.value', 'emails.0.type', 'emails.0.primary', 'emails.0.display',
  'phoneNumbers', 'phoneNumbers.0.value', 'addresses', 'addresses.0.streetAddress', 'addresses.0.primary', 'ims', 'photos', 'groups', 'entitlements', 'x509Certificates',
  'roles', 'roles.0', 'roles.0.value', 'roles.0.primary', 'roles.0.type', 'schemas', 'schemas.0', 'id', 'meta', 'meta.version', 'meta.resourceType',
  `${ENTERPRISE}`, `${ENTERPRISE}.employeeNumber`, `${ENTERPRISE}.costCenter`, `${ENTERPRISE}.organization`, `${ENTERPRISE}.division`, `${ENTERPRISE}.department`,
  `${ENTERPRISE}.manager`, `${ENTERPRISE}.manager.value`, `${ENTERPRISE}.manager.displayName`, `${USER_SCHEMA}:userName`, `${ENTERPRISE}:department`,
];
const GROUP_ATTRIBUTES = ['displayName', 'externalId', 'members', 'members.0', 'members.0.value', 'members.0.display', 'members.0.type', 'members.0.$ref', 'schemas', 'id', 'meta'];

const FILTER_ATTRIBUTES = [
  'userName', 'USERNAME', 'id', 'externalId', 'displayName', 'active', 'title', 'name.givenName', 'name.familyName', 'name', 'emails', 'emails.value', 'emails.type', 'emails.primary',
  'emails.display', 'meta.created', 'meta.lastModified', 'meta.resourceType', 'members', 'members.value', 'members.display', 'groups', 'roles.value', 'roles.primary', 'department',
  `${USER_SCHEMA}:userName`, `${ENTERPRISE}:department`, `${ENTERPRISE}:manager.value`, `${ENTERPRISE}:employeeNumber`, `${GROUP_SCHEMA}:displayName`,
  'nope', 'emails.nope', 'name.givenName.x', 'a.b.c.d', 'urn:x', 'urn:', ':', '$', '1', '', 'userName.value', 'meta', 'schemas', 'password',
];
const OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le', 'EQ', 'Co', 'xx', '==', 'eqq', 'pr'];

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A comparison value: a quoted hostile string (escaped or not), a number, a literal or garbage. */
const filterValue: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: hostileString.map((s) => JSON.stringify(s)), weight: 6 },
  { arbitrary: hostileString.map((s) => `"${s}"`), weight: 3 },
  { arbitrary: hostileString, weight: 2 },
  { arbitrary: id.map((p) => `"${p}"`), weight: 2 },
  { arbitrary: fc.constantFrom('true', 'false', 'null', '1', '-1', '1e400', '-0', '0x10', 'NaN', '"2020-01-01T00:00:00Z"', '"2020-13-45T99:99:99Z"', '"not a date"', '"1"', '"\\u0000"', '"\\ud800"', '"\\"', '"\\x"'), weight: 3 },
);

/** Filters that follow the grammar (with hostile operands) and filters that do not. */
export const filterText: fc.Arbitrary<string> = fc.letrec<{ filter: string }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.constantFrom(...FILTER_ATTRIBUTES), fc.constantFrom(...OPERATORS), filterValue).map(([a, o, v]) => (o === 'pr' ? `${a} pr` : `${a} ${o} ${v}`)),
    fc.constantFrom(...FILTER_ATTRIBUTES).map((a) => `${a} pr`),
    tie('filter').map((f) => `(${f})`),
    tie('filter').map((f) => `not (${f})`),
    tie('filter').map((f) => `not ${f}`),
    fc.tuple(tie('filter'), fc.constantFrom('and', 'or', 'AND', 'Or', 'xor', ''), tie('filter')).map(([a, o, b]) => `${a} ${o} ${b}`),
    fc.tuple(fc.constantFrom('emails', 'members', 'roles', 'addresses', 'name', 'userName', 'nope'), tie('filter')).map(([a, f]) => `${a}[${f}]`),
    fc.tuple(fc.constantFrom('emails', 'members'), tie('filter'), fc.constantFrom('value', 'type', '')).map(([a, f, s]) => `${a}[${f}].${s}`),
    fc.array(fc.constantFrom('(', ')', '[', ']', '"', 'and', 'or', 'not', 'eq', 'pr', 'userName', 'emails', '"x"', ' ', '\\', '.', ':', '\u0000', '\ud800'), { maxLength: 12 }).map((t) => t.join(' ')),
    fc.integer({ min: 100, max: 20_000 }).map((n) => `${'('.repeat(n)}userName eq "a"${')'.repeat(n)}`),
    fc.integer({ min: 100, max: 5_000 }).map((n) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(' or ')),
    fc.integer({ min: 100, max: 5_000 }).map((n) => `${'not ('.repeat(n)}active eq true${')'.repeat(n)}`),
    hostileString,
  ),
})).filter;

const INTEGERS = ['-1', '0', '1', '2147483647', '2147483648', '-2147483649', '9007199254740993', '99999999999999999999999', '1e309', '-1e309', '1.5', 'NaN', 'Infinity', '', ' ', '0x10', '1_000', '١٢', '+5', '1 ', '٣', '0b1', '1e3', '00001'];

/** Percent-encodes every UTF-8 byte of `text` (lone surrogates become U+FFFD, as `Buffer` writes them). */
function encode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

/** A query parameter value: percent-encoded, or raw (`&`, `#`, `%zz` and all). */
const queryValue = (values: fc.Arbitrary<string>) => fc.tuple(values, fc.boolean()).map(([v, raw]) => (raw ? v.replace(/[\s\u0000-\u001f\u007f-\uffff]/g, (c) => encode(c)) : encode(v)));

const listParams: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      queryValue(filterText).map((v) => `filter=${v}`),
      queryValue(fc.constantFrom(...INTEGERS)).map((v) => `startIndex=${v}`),
      queryValue(fc.constantFrom(...INTEGERS)).map((v) => `count=${v}`),
      queryValue(fc.oneof(fc.constantFrom(...FILTER_ATTRIBUTES), hostileString)).map((v) => `sortBy=${v}`),
      queryValue(fc.oneof(fc.constantFrom('ascending', 'descending', 'DESCENDING', 'up', ''), hostileString)).map((v) => `sortOrder=${v}`),
      queryValue(fc.oneof(fc.constantFrom('userName', 'emails[type eq "work"].value', 'members', 'name.givenName,emails', `${ENTERPRISE}:manager`, 'meta', 'id', ',,,', '[[[', ']]'), hostileString)).map((v) => `attributes=${v}`),
      queryValue(fc.oneof(fc.constantFrom('members', 'emails', 'id', 'schemas', 'meta.version', 'userName'), hostileString)).map((v) => `excludedAttributes=${v}`),
      fc.constantFrom('count=1&count=2', 'filter=a&filter=b', 'count[a]=1', 'filter[]=x', 'startIndex', '=', '&&', '%', '%zz', '%ED%A0%80=1', 'filter=%ED%A0%80', 'attributes=%FF'),
    ),
    { maxLength: 5 },
  )
  .map((params) => (params.length === 0 ? '' : `?${params.join('&')}`));

/** Sets `value` at a dotted path (a numeric segment indexes an array), creating what is missing. */
function setAt(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  // An extension URN is one key: split only after it.
  const urn = path.startsWith('urn:') ? (/^(urn:[^.]+(?:\.\d+)*[^.]*?:\d+\.\d+:[A-Za-z]+)(.*)$/.exec(path) ?? undefined) : undefined;
  const keys = urn ? [urn[1] as string, ...(urn[2] ?? '').split('.').filter(Boolean)] : path.split('.');
  let node: Record<string, unknown> | unknown[] = target;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    const next = keys[i + 1];
    const index = /^\d+$/.test(key) ? Number(key) : undefined;
    const container = node as Record<string, unknown>;
    const k = index !== undefined && Array.isArray(node) ? index : key;
    if (last) {
      (container as Record<string | number, unknown>)[k] = value;
      return;
    }
    let child = (container as Record<string | number, unknown>)[k];
    if (typeof child !== 'object' || child === null) {
      child = next !== undefined && /^\d+$/.test(next) ? [] : {};
      (container as Record<string | number, unknown>)[k] = child;
    }
    node = child as Record<string, unknown>;
  });
  return target;
}

const userName = fc.tuple(fc.nat(1_000_000), fc.constantFrom('example.com', 'x.org')).map(([n, d]) => `fuzz${n}@${d}`);

const validUser = fc.record({ userName, given: fc.string({ maxLength: 10 }), active: fc.boolean() }).map(({ userName: u, given, active }) => ({
  schemas: [USER_SCHEMA, ENTERPRISE],
  userName: u,
  name: { givenName: given, familyName: 'Fuzz' },
  emails: [{ value: u, type: 'work', primary: true }],
  active,
  [ENTERPRISE]: { department: 'R&D', manager: { value: '@@user@@' } },
}));

const validGroup = fc.nat(1_000_000).map((n) => ({ schemas: [GROUP_SCHEMA], displayName: `Fuzz group ${n}`, members: [{ value: '@@user@@' }] }));

/** A valid body with one to three attributes given a wrong value. */
const mutated = (base: fc.Arbitrary<Record<string, unknown>>, attributes: string[]) =>
  fc.tuple(base, fc.array(fc.tuple(fc.constantFrom(...attributes), wrongValue), { minLength: 1, maxLength: 3 })).map(([body, changes]) => {
    for (const [path, value] of changes) setAt(body, path, value);
    return { body, changed: changes.map(([p]) => p).join(', ') };
  });

/** JSON that is not: truncated, garbled, another encoding, not JSON at all. */
const malformedBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.tuple(validUser, fc.double({ min: 0, max: 1, noNaN: true })).map(([u, cut]) => {
    const text = JSON.stringify(u);
    return text.slice(0, Math.floor(text.length * cut));
  }),
  fc.constantFrom('', ' ', 'null', 'true', '1', '"string"', '[]', '[{}]', '{', '}', '{"userName":}', "{'userName':'a'}", '{"userName":"a",}', '{"userName":"a"}{"userName":"b"}', '{"__proto__":{"admin":true},"userName":"p@x.org"}', '{"constructor":{"prototype":{"x":1}},"userName":"c@x.org"}', '\ufeff{"userName":"bom@x.org"}', '{"userName":"a\\ud800"}', '{"userName":"\\u0000"}', 'NaN', '{"a":1e999}', '<xml/>', 'userName=a'),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  validUser.map((u) => Buffer.from(JSON.stringify(u), 'utf16le')),
  hostileString,
);

/** An extension of scim+json, json, text, none at all, a charset nobody reads. */
const contentType: fc.Arbitrary<string | null> = fc.oneof(
  { arbitrary: fc.constant('application/scim+json'), weight: 12 },
  { arbitrary: fc.constantFrom('application/json', 'application/scim+json; charset=utf-8', 'application/json; charset=UTF-8'), weight: 4 },
  {
    arbitrary: fc.constantFrom<string | null>(null, '', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/json; charset=bogus', '*/*', 'application/scim+json; charset="', ';;;', 'application/json\u0000'),
    weight: 3,
  },
);

/** Mostly a valid token; sometimes none, a wrong one, two, or one of another source. */
const auth: fc.Arbitrary<Auth> = fc.oneof(
  { arbitrary: fc.constant<Auth>('valid'), weight: 30 },
  { arbitrary: fc.constantFrom<Auth>('missing', 'wrong', 'basic', 'valid-then-wrong', 'wrong-then-valid', 'other-source', 'lower-case-scheme', 'huge'), weight: 3 },
);

const extraHeaders: fc.Arbitrary<Array<[string, string]>> = fc.oneof(
  { arbitrary: fc.constant<Array<[string, string]>>([]), weight: 20 },
  {
    arbitrary: fc.array(
      fc.oneof(
        fc.constantFrom<[string, string]>(['if-match', 'W/"1"'], ['if-match', '*'], ['if-match', '"garbage'], ['if-none-match', 'W/"1"'], ['if-none-match', '*'], ['accept', 'text/html'], ['accept', 'application/xml'], ['content-encoding', 'gzip'], ['content-encoding', 'br'], ['content-encoding', 'bogus'], ['x-http-method-override', 'DELETE'], ['expect', '100-continue'], ['accept-charset', 'utf-16'], ['forwarded', 'for=1.2.3.4'], ['x-forwarded-for', '1.2.3.4']),
        fc.tuple(fc.constantFrom('x-fuzz', 'x-forwarded-for', 'if-match', 'accept', 'user-agent'), fc.integer({ min: 1_000, max: 15_000 })).map(([n, size]): [string, string] => [n, 'x'.repeat(size)]),
        fc.integer({ min: 1, max: 8 }).map((k): [string, string] => ['if-match', Array.from({ length: k * 100 }, (_, i) => `W/"${i}"`).join(', ')]),
      ),
      { maxLength: 3 },
    ),
    weight: 2,
  },
);

const opName = fc.oneof({ arbitrary: fc.constantFrom('add', 'remove', 'replace'), weight: 5 }, { arbitrary: fc.constantFrom('Add', 'REPLACE', 'Remove', 'move', 'copy', 'test', '', 'delete'), weight: 1 }, { arbitrary: anyJson, weight: 1 });
const patchPath: fc.Arbitrary<string | undefined> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 2 },
  { arbitrary: fc.constantFrom(...USER_ATTRIBUTES.map((a) => a.replace(/\.0/g, '')), ...GROUP_ATTRIBUTES.map((a) => a.replace(/\.0/g, ''))), weight: 4 },
  {
    arbitrary: fc.constantFrom(
      'members[value eq "@@user@@"]', 'members[value eq "@@otherUser@@"]', 'members[value eq "@@missing@@"]', 'members[value eq "not-a-uuid"]', 'members[display eq "x"]',
      'emails[type eq "work"].value', 'emails[type eq "work" and primary eq true].value', 'emails[primary eq true]', 'emails[value co "@"].display', 'roles[primary eq "True"].value',
      'addresses[type eq "work"].streetAddress', `${ENTERPRISE}:manager`, `${ENTERPRISE}:manager.value`, `${ENTERPRISE}:department`, `${USER_SCHEMA}:name.givenName`,
      'members[', 'members]', 'members[value eq]', 'members[]', 'members.value', 'emails[type eq "work"', '[value eq "x"]', '.', '..', 'name..givenName', 'urn:', 'urn:ietf:params:scim:schemas:core:2.0:User:', 'name.givenName.nope',
    ),
    weight: 4,
  },
  { arbitrary: filterText.map((f) => `members[${f}]`), weight: 2 },
  { arbitrary: hostileString, weight: 1 },
);
const patchValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 1 },
  { arbitrary: fc.constantFrom('x', true, false, 'True', 'False', [{ value: '@@user@@' }], [{ value: '@@otherUser@@' }], [{ value: '@@missing@@' }], [{ value: 'not-a-uuid' }], { active: false }, { displayName: 'Renamed' }, { members: [{ value: '@@user@@' }] }, { 'name.givenName': 'Dotted' }, { [`${ENTERPRISE}:department`]: 'Ops' }, [{ value: '{"id":"x","value":"y"}' }], { id: 'x', department: 'D' }, { id: '@@user@@' }), weight: 4 },
  { arbitrary: wrongValue, weight: 3 },
);
const patchOperation = fc.record({ op: opName, path: patchPath, value: patchValue }).map((op) => defined(op));
const patchBody: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.array(patchOperation, { minLength: 1, maxLength: 4 }).map((Operations) => ({ schemas: [PATCH_OP], Operations })), weight: 10 },
  { arbitrary: fc.array(patchOperation, { maxLength: 3 }).map((Operations) => ({ Operations })), weight: 1 },
  { arbitrary: fc.record({ schemas: fc.oneof(anyJson, fc.constant([PATCH_OP])), Operations: anyJson }), weight: 2 },
  { arbitrary: fc.constantFrom(10_000, 2_000).map((n) => ({ schemas: [PATCH_OP], Operations: Array.from({ length: n }, (_, i) => ({ op: 'add', path: 'members', value: [{ value: i % 2 ? '@@user@@' : '@@missing@@' }] })) })), weight: 1 },
);

const bulkOperation = fc
  .record({
    method: fc.oneof(fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'), fc.constantFrom('GET', 'post', '', 'TRACE'), anyJson),
    path: fc.oneof(fc.constantFrom('/Users', '/Groups', '/Users/@@user@@', '/Groups/@@group@@', '/Users/@@otherUser@@', '/Groups/@@otherGroup@@', '/Users/bulkId:a', '/Groups/bulkId:b', '/Users/bulkId:nope', '/Users/../Groups', 'Users', '', '/Bulk', '/Users/%ED%A0%80', '/Users/@@user@@/x'), hostileString, anyJson),
    bulkId: fc.oneof(fc.constant(undefined), fc.constantFrom('a', 'b', 'c', ''), hostileString, anyJson),
    version: fc.oneof(fc.constant(undefined), fc.constantFrom('W/"1"', '*', 'garbage'), anyJson),
    data: fc.oneof(validUser, validGroup, patchBody, fc.constantFrom({ userName: 'bulk@x.org', manager: 'bulkId:a' }, { displayName: 'G', members: [{ value: 'bulkId:a' }, { value: 'bulkId:b' }] }, { displayName: 'Self', members: [{ value: 'bulkId:c' }] }), anyJson),
  })
  .map((op) => defined(op));
const bulkBody: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.record({ schemas: fc.constant([BULK_REQUEST]), failOnErrors: fc.oneof(fc.constant(undefined), fc.constantFrom(1, 0, -1, 1.5, '1', 1e308)), Operations: fc.array(bulkOperation, { minLength: 1, maxLength: 5 }) }).map((b) => defined(b)), weight: 8 },
  { arbitrary: fc.constantFrom(1_000, 1_001, 5_000).map((n) => ({ schemas: [BULK_REQUEST], Operations: Array.from({ length: n }, (_, i) => ({ method: 'DELETE', path: `/Users/${i % 2 ? '@@missing@@' : 'x'}` })) })), weight: 1 },
  { arbitrary: anyJson.map((Operations) => ({ schemas: [BULK_REQUEST], Operations })), weight: 1 },
);

const searchBody: fc.Arbitrary<unknown> = fc
  .record({
    schemas: fc.oneof(fc.constant([SEARCH_REQUEST]), anyJson),
    filter: fc.oneof(filterText, anyJson),
    startIndex: fc.oneof(fc.constantFrom(...INTEGERS), fc.integer(), fc.double(), anyJson),
    count: fc.oneof(fc.constantFrom(...INTEGERS), fc.integer(), fc.double(), anyJson),
    sortBy: fc.oneof(fc.constantFrom(...FILTER_ATTRIBUTES), anyJson),
    attributes: fc.oneof(fc.array(fc.constantFrom(...FILTER_ATTRIBUTES)), anyJson),
    excludedAttributes: fc.oneof(fc.array(fc.constantFrom(...FILTER_ATTRIBUTES)), anyJson),
  }, { requiredKeys: [] });

const PATH_TRICKS = [
  '/Users/..', '/Users/../Groups', '/Users/%2e%2e', '/Users/%2e%2e%2fGroups', '/Users/%2F', '/Users/a%2Fb', '/Users%2F@@user@@', '//Users', '/Users/', '/Users/@@user@@/', '/Users/@@user@@/extra',
  '/Users/@@otherUser@@', '/Groups/@@otherGroup@@', '/Users/@@group@@', '/Groups/@@user@@', '/Users/%EF%BF%BD%ED%A0%80', '/Groups/%EF%BF%BD%ED%A0%80', '/Users/%C0%AF', '/Users/%FF', '/Users/%E0%80', '/Users/%', '/Users/%zz', '/Users/%00',
  '/Users/%F0%9F%98', '/Users/%ED%B0%80', '/users', '/USERS/@@user@@', '/Users;jsessionid=1', '/Users?', '/Users#frag', '/Schemas/..%2F..%2Fetc%2Fpasswd', '/ResourceTypes/%ED%A0%80', '/Schemas/%ED%A0%80', '/Schemas/%FF',
  '/Bulk/x', '/Users/.search', '/Groups/.search', '/Me', '/', '', '/.search', '/ServiceProviderConfig', '/ResourceTypes', '/ResourceTypes/User', '/Schemas', `/Schemas/${encodeURIComponent(USER_SCHEMA)}`,
  '/Users/@@missing@@', '/Users/00000000-0000-0000-0000-000000000000', '/Users/not-a-uuid', '/Users/%20', '/Users/*', '/Users/@@user@@%00', '/Users/@@user@@%20',
];

/** A path below `/scim/v2`: a trick, or a resource path with an arbitrary id (random bytes, hostile text). */
const scimPath: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...PATH_TRICKS), weight: 6 },
  { arbitrary: fc.tuple(fc.constantFrom('/Users/', '/Groups/', '/Schemas/', '/ResourceTypes/', '/Bulk/', '/'), fc.uint8Array({ minLength: 1, maxLength: 12 })).map(([p, bytes]) => `${p}${[...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`), weight: 3 },
  { arbitrary: fc.tuple(fc.constantFrom('/Users/', '/Groups/'), hostileString).map(([p, s]) => `${p}${encode(s)}`), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom('/Users/', '/Groups/'), fc.integer({ min: 1_000, max: 12_000 })).map(([p, n]) => `${p}${'a'.repeat(n)}`), weight: 1 },
);

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** Every kind of generated request, weighted towards the ones with the most ways to go wrong. */
export function scimRequest(): fc.Arbitrary<ScimFuzzRequest> {
  const common = { auth, headers: extraHeaders };
  const json = (body: unknown) => toJsonText(body);
  return fc.oneof(
    // Users and Groups with wrong types in their attributes (and huge or deep values).
    {
      arbitrary: fc.record({ ...common, target: fc.constantFrom('POST /Users', 'PUT /Users/@@user@@'), m: mutated(validUser, USER_ATTRIBUTES), contentType }).map(({ target, m, ...r }) => {
        const [method, path] = target.split(' ') as [string, string];
        return { ...r, kind: `user with wrong ${m.changed}`, method, path, body: json(m.body) };
      }),
      weight: 60,
    },
    {
      arbitrary: fc.record({ ...common, target: fc.constantFrom('POST /Groups', 'PUT /Groups/@@group@@'), m: mutated(validGroup, GROUP_ATTRIBUTES), contentType }).map(({ target, m, ...r }) => {
        const [method, path] = target.split(' ') as [string, string];
        return { ...r, kind: `group with wrong ${m.changed}`, method, path, body: json(m.body) };
      }),
      weight: 30,
    },
    // Malformed and truncated JSON, to every endpoint that reads a body.
    {
      arbitrary: fc.record({ ...common, target: fc.constantFrom('POST /Users', 'PUT /Users/@@user@@', 'PATCH /Users/@@user@@', 'POST /Groups', 'PATCH /Groups/@@group@@', 'POST /Bulk', 'POST /Users/.search', 'POST /Groups/.search'), body: malformedBody, contentType }).map(({ target, ...r }) => {
        const [method, path] = target.split(' ') as [string, string];
        return { ...r, kind: 'malformed JSON', method, path };
      }),
      weight: 40,
    },
    // Filters (GET and .search) with list parameters out of range.
    {
      arbitrary: fc.record({ ...common, resource: fc.constantFrom('/Users', '/Groups'), query: listParams }).map(({ resource, query, ...r }) => ({ ...r, kind: 'list', method: 'GET', path: `${resource}${query}` })),
      weight: 80,
    },
    {
      arbitrary: fc.record({ ...common, resource: fc.constantFrom('/Users/.search', '/Groups/.search'), body: searchBody, contentType }).map(({ resource, body, ...r }) => ({ ...r, kind: 'search', method: 'POST', path: resource, body: json(body) })),
      weight: 30,
    },
    // Reads by id with projections.
    {
      arbitrary: fc.record({ ...common, resource: fc.constantFrom('/Users/@@user@@', '/Groups/@@group@@', '/Users/@@otherUser@@', '/Groups/@@otherGroup@@'), query: listParams }).map(({ resource, query, ...r }) => ({ ...r, kind: 'get by id', method: 'GET', path: `${resource}${query}` })),
      weight: 20,
    },
    // PATCH with paths, value filters and nonsense.
    {
      arbitrary: fc.record({ ...common, resource: fc.constantFrom('/Users/@@user@@', '/Groups/@@group@@', '/Users/@@otherUser@@', '/Groups/@@otherGroup@@'), body: patchBody, query: fc.constantFrom('', '', '', '?attributes=members', '?excludedAttributes=emails'), contentType }).map(
        ({ resource, body, query, ...r }) => ({ ...r, kind: 'patch', method: 'PATCH', path: `${resource}${query}`, body: json(body) }),
      ),
      weight: 80,
    },
    // PATCH values aimed at scimmy's coercion of complex attributes and the enterprise extension,
    // where its own runtime errors surface (which the server must not pass on).
    {
      arbitrary: fc
        .record({
          ...common,
          op: fc.constantFrom('add', 'replace', 'remove'),
          path: fc.constantFrom<string | undefined>(ENTERPRISE, `${ENTERPRISE}:manager`, 'name', 'emails', 'addresses', 'roles', 'meta', undefined),
          value: fc.oneof(
            fc.constantFrom<unknown>({ id: 'x', department: 'D' }, { meta: { version: 'x' } }, { schemas: ['x'] }, { manager: 'x' }, { manager: { value: 1 } }, { [ENTERPRISE]: 'x' }, { [ENTERPRISE]: { id: 'x' } }, { name: { id: 'x' } }, { emails: [{ id: 'x' }] }, [{ id: 'x', value: 'a@x.org' }], { givenName: { a: 1 } }),
            fc.dictionary(fc.constantFrom('id', 'meta', 'schemas', 'value', 'department', 'manager', 'givenName', '$ref', 'display'), anyJson, { maxKeys: 3 }),
          ),
        })
        .map(({ op, path, value, ...r }) => ({ ...r, kind: 'patch complex', method: 'PATCH', path: '/Users/@@user@@', body: json({ schemas: [PATCH_OP], Operations: [defined({ op, path, value })] }) })),
      weight: 40,
    },
    { arbitrary: fc.record({ ...common, body: bulkBody, contentType }).map(({ body, ...r }) => ({ ...r, kind: 'bulk', method: 'POST', path: '/Bulk', body: json(body) })), weight: 30 },
    // Path tricks with any method.
    {
      arbitrary: fc.record({ ...common, method: fc.constantFrom(...METHODS), path: scimPath, body: fc.option(validUser.map((u) => json(u)), { nil: undefined }) }).map((r) => ({ ...r, kind: 'path trick' })),
      weight: 50,
    },
    { arbitrary: fc.record({ ...common, resource: fc.constantFrom('/Users/@@user@@', '/Groups/@@group@@', '/Users/@@otherUser@@') }).map(({ resource, ...r }) => ({ ...r, kind: 'delete', method: 'DELETE', path: resource })), weight: 10 },
    // A body that never ends (the client gives up; the server must not).
    { arbitrary: fc.record({ ...common, path: fc.constantFrom('/Users', '/Bulk', '/Users/@@user@@') }).map((r) => ({ ...r, kind: 'never-ending body', method: r.path === '/Users/@@user@@' ? 'PATCH' : 'POST', body: '{"userName":"', neverEnd: true })), weight: 1 },
    // Huge bodies of every kind.
    { arbitrary: fc.record({ ...common, value: hugeValue, target: fc.constantFrom('POST /Users', 'PATCH /Groups/@@group@@', 'POST /Bulk') }).map(({ value, target, ...r }) => {
        const [method, path] = target.split(' ') as [string, string];
        const body = method === 'PATCH' ? { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value }] } : path === '/Bulk' ? { schemas: [BULK_REQUEST], Operations: value } : { schemas: [USER_SCHEMA], userName: value };
        return { ...r, kind: `huge ${value instanceof RawJson ? value.label : 'array'}`, method, path, body: json(body) };
      }), weight: 5 },
  );
}
