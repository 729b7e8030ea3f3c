/**
 * Generated admin-API requests: every route with JSON bodies of wrong types, malformed and
 * deep, query parameters out of range, hostile path parameters, and CSV imports with broken
 * quoting, BOMs, formulas and control characters. Ids are placeholders resolved at run time.
 */
import fc from 'fast-check';
import { anyJson, hostileString, toJsonText, wrongValue } from './hostile.js';

export interface AdminFuzzRequest {
  kind: string;
  method: string;
  /** Below `/api/v1`, with placeholders (`@@ws@@`, `@@person@@`, `@@invite@@`, `@@token@@`, `@@account@@`). */
  path: string;
  auth: 'system' | 'person' | 'wrong' | 'missing';
  body?: string | Buffer;
  contentType?: string | null;
  accept?: string;
}

function encode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

/** A path parameter: a real one most of the time, else something no route expects. */
const param = (placeholder: string) =>
  fc.oneof(
    { arbitrary: fc.constant(placeholder), weight: 6 },
    { arbitrary: fc.constantFrom('00000000-0000-0000-0000-000000000000', 'not-a-uuid', '..', '%2F', '%2e%2e', '%EF%BF%BD%ED%A0%80', '%FF', '%', '%00', 'a%00b', '%E2%80%AE', 'W1', 'cfg', '%20'), weight: 3 },
    { arbitrary: hostileString.filter((s) => s.length > 0).map(encode), weight: 2 },
    { arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('')), weight: 1 },
  );

const INTEGERS = ['-1', '0', '1', '1000', '1001', '2147483648', '1e309', '1.5', 'NaN', '', '0x10', '١٢'];
const queryValue = fc.oneof(fc.constantFrom(...INTEGERS), fc.constantFrom('admin', 'editor', 'viewer', 'active', 'suspended', 'removed', 'true', 'false', '2026-01-01T00:00:00Z', 'P1D', 'eyJ4IjoxfQ', 'WyJhIiwiYiJd', 'bnVsbA', 'W251bGwsbnVsbF0'), hostileString);
const QUERY_NAMES = ['limit', 'cursor', 'role', 'status', 'q', 'since', 'after', 'workspace', 'person', 'actor', 'email', 'dryRun'];
const query = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constantFrom(...QUERY_NAMES), queryValue).map(([n, v]) => `${n}=${encode(v)}`),
      fc.constantFrom('limit=1&limit=2', 'cursor[a]=1', 'q', '=', '%zz', 'email=%ED%A0%80', 'since=%FF'),
    ),
    { maxLength: 4 },
  )
  .map((p) => (p.length === 0 ? '' : `?${p.join('&')}`));

/** A valid body with one or two fields given a wrong value, or any JSON at all. */
function body(template: Record<string, unknown>, fields: string[]): fc.Arbitrary<string | Buffer> {
  return fc.oneof(
    { arbitrary: fc.constant(toJsonText(template)), weight: 2 },
    {
      arbitrary: fc.array(fc.tuple(fc.constantFrom(...fields, 'extra', '__proto__'), wrongValue), { minLength: 1, maxLength: 2 }).map((changes) => {
        const copy: Record<string, unknown> = { ...template };
        for (const [field, value] of changes) {
          if (field === '__proto__') return `{"__proto__":${toJsonText(value)},${toJsonText(copy).slice(1)}`;
          copy[field] = value;
        }
        return toJsonText(copy);
      }),
      weight: 6,
    },
    { arbitrary: anyJson.map((v) => toJsonText(v)), weight: 2 },
    { arbitrary: fc.constantFrom('', '{', '{"a":', 'null', '[]', '"x"', '\ufeff{}', '{"a":1}{"b":2}'), weight: 1 },
    { arbitrary: fc.constantFrom(10_000, 100_000).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 32 }).map((b) => Buffer.from(b)), weight: 1 },
  );
}

const email = fc.oneof(
  fc.nat(100_000).map((n) => `member${n}@example.com`),
  fc.nat(100_000).map((n) => `guest${n}@partner.org`),
  fc.constantFrom("=cmd|'/Ccalc'!A0@example.com", '+1+1@example.com', '-2+3@example.com', '@SUM(1+1)@example.com', '"=1"@example.com', 'a\u0000b@example.com', 'ü@exämple.com', 'a@b', 'x'.repeat(400) + '@example.com'),
  hostileString,
);

/** A CSV import: the template's columns, or broken ones, lines with formulas, quotes, BOMs and control characters. */
export const importCsv: fc.Arbitrary<string> = fc
  .record({
    bom: fc.constantFrom('', '', '\ufeff', '\ufeff\ufeff'),
    header: fc.constantFrom('email,firstName,lastName,company,role,validUntil', 'email,role', 'role,email', 'email;role', 'email,role,surprise', '', '"email","role"', 'email,"role', 'EMAIL,ROLE'),
    lines: fc.array(
      fc.record({
        email,
        first: fc.oneof(fc.constantFrom('Ada', '=HYPERLINK("http://x")', '+1', '-1', '@x', '\t=1', '"quoted"', 'a"b', '"unterminated', '""', 'x,y', 'line\nbreak', 'cr\rcr'), hostileString),
        role: fc.constantFrom('viewer', 'editor', 'admin', 'owner', '', 'VIEWER', '=1+1'),
        validUntil: fc.constantFrom('', '2026-06-01', '2026-06-01T00:00:00Z', '2099-01-01', '1900-01-01', 'tomorrow', '=NOW()'),
        separator: fc.constantFrom('\n', '\r\n', '\r', '\n\n'),
        quoting: fc.constantFrom('none', 'all', 'broken'),
      }),
      { maxLength: 12 },
    ),
  })
  .map(({ bom, header, lines }) => {
    const cell = (v: string, quoting: string) => (quoting === 'all' ? `"${v.replace(/"/g, '""')}"` : quoting === 'broken' ? `"${v}` : v);
    return bom + header + '\n' + lines.map((l) => [l.email, l.first, 'Last', 'Co', l.role, l.validUntil].map((v) => cell(v, l.quoting)).join(',') + l.separator).join('');
  });

const auth = fc.oneof({ arbitrary: fc.constant<'system'>('system'), weight: 12 }, { arbitrary: fc.constantFrom<'person' | 'wrong' | 'missing'>('person', 'wrong', 'missing'), weight: 3 });
const contentType = fc.oneof({ arbitrary: fc.constant('application/json'), weight: 8 }, { arbitrary: fc.constantFrom<string | null>(null, 'text/plain', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'text/csv'), weight: 1 });

const role = fc.constantFrom('admin', 'editor', 'viewer');

export function adminRequest(): fc.Arbitrary<AdminFuzzRequest> {
  const withBody = (method: string, path: fc.Arbitrary<string>, b: fc.Arbitrary<string | Buffer>, kind: string) =>
    fc.record({ auth, path, body: b, contentType }).map((r) => ({ ...r, method, kind }));
  const noBody = (method: string, path: fc.Arbitrary<string>, kind: string) => fc.record({ auth, path, q: query }).map(({ q, ...r }) => ({ ...r, path: `${r.path}${q}`, method, kind }));
  const ws = param('@@ws@@');
  const person = param('@@person@@');
  return fc.oneof(
    { arbitrary: noBody('GET', fc.constantFrom('/workspaces', '/people', '/audit', '/events', '/tokens', '/permissions', '/status'), 'list'), weight: 6 },
    { arbitrary: noBody('GET', ws.map((w) => `/workspaces/${w}/members`), 'members'), weight: 3 },
    { arbitrary: noBody('GET', ws.map((w) => `/workspaces/${w}/invites`), 'invites'), weight: 1 },
    { arbitrary: noBody('GET', person.map((p) => `/people/${p}`), 'person'), weight: 1 },
    { arbitrary: noBody('GET', person.map((p) => `/people/${p}/access`), 'access'), weight: 1 },
    { arbitrary: fc.record({ auth, q: query }).map(({ auth: a, q }) => ({ auth: a, method: 'GET', path: `/permissions${q}`, accept: 'text/csv', kind: 'permissions csv' })), weight: 1 },
    { arbitrary: withBody('POST', fc.constant('/workspaces'), body({ id: 'fz-ws', name: 'Fuzzed' }, ['id', 'name']), 'create workspace'), weight: 2 },
    { arbitrary: withBody('PATCH', ws.map((w) => `/workspaces/${w}`), body({ name: 'Renamed' }, ['name']), 'rename workspace'), weight: 1 },
    { arbitrary: withBody('POST', ws.map((w) => `/workspaces/${w}/members`), fc.tuple(email, role).chain(([e, r]) => body({ email: e, role: r, validUntil: '2026-06-01T00:00:00Z' }, ['email', 'role', 'validUntil'])), 'add member'), weight: 4 },
    { arbitrary: withBody('PATCH', fc.tuple(ws, person).map(([w, p]) => `/workspaces/${w}/members/${p}`), role.chain((r) => body({ role: r }, ['role'])), 'change role'), weight: 2 },
    { arbitrary: withBody('POST', fc.tuple(ws, person).map(([w, p]) => `/workspaces/${w}/members/${p}/extend`), body({ validUntil: '2026-05-01T00:00:00Z' }, ['validUntil']), 'extend'), weight: 2 },
    { arbitrary: withBody('POST', ws.map((w) => `/workspaces/${w}/invites`), fc.tuple(email, role).chain(([e, r]) => body({ email: e, role: r }, ['email', 'role'])), 'invite'), weight: 2 },
    { arbitrary: withBody('POST', fc.constant('/invites/accept'), body({ token: 'not-an-invite-token' }, ['token']), 'accept invite'), weight: 1 },
    { arbitrary: withBody('POST', person.map((p) => `/people/${p}/activity`), body({ at: '2026-02-01T00:00:00Z' }, ['at']), 'activity'), weight: 1 },
    { arbitrary: withBody('POST', fc.constant('/tokens'), fc.oneof(email.chain((e) => body({ person: e, expiresIn: 'P1D' }, ['person', 'expiresIn'])), body({ source: 'hr', expiresIn: 'PT1H' }, ['source', 'expiresIn'])), 'create token'), weight: 2 },
    { arbitrary: withBody('POST', fc.constant('/rules/preview'), body({ workspaces: [{ id: 'p', name: 'P', roles: { viewer: [{ source: '*', group: 'x' }] } }] }, ['workspaces', 'lifecycle']), 'rules preview'), weight: 1 },
    { arbitrary: noBody('DELETE', fc.tuple(ws, person).map(([w, p]) => `/workspaces/${w}/members/${p}`), 'remove member'), weight: 1 },
    { arbitrary: noBody('DELETE', fc.tuple(ws, param('@@invite@@')).map(([w, i]) => `/workspaces/${w}/invites/${i}`), 'revoke invite'), weight: 1 },
    { arbitrary: noBody('DELETE', param('@@token@@').map((t) => `/tokens/${t}`), 'revoke token'), weight: 1 },
    { arbitrary: noBody('DELETE', fc.tuple(person, param('hr'), param('@@account@@')).map(([p, s, a]) => `/people/${p}/links/${s}/${a}`), 'unlink'), weight: 1 },
    { arbitrary: noBody('DELETE', ws.map((w) => `/workspaces/${w}`), 'delete workspace'), weight: 1 },
    {
      arbitrary: fc
        .record({ auth, ws, csv: importCsv, dryRun: fc.constantFrom('?dryRun=true', '?dryRun=true', '', '?dryRun=yes', '?dryRun=true&dryRun=false'), type: fc.constantFrom<string | null>('text/csv', 'text/csv', 'text/plain', 'application/csv', 'text/csv; charset=utf-16', 'application/json', null) })
        .map((r) => ({ auth: r.auth, method: 'POST', path: `/workspaces/${r.ws}/imports${r.dryRun}`, body: r.csv, contentType: r.type, kind: 'import' })),
      weight: 5,
    },
  );
}
