/**
 * Generated config documents: valid configs with wrong values spliced in, YAML that abuses the
 * format (aliases, tags, merge keys, many documents, deep nesting, bad bytes), and valid YAML
 * truncated or with a byte changed.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { anyJson, hostileString } from './hostile.js';

const id = fc.oneof({ arbitrary: fc.constantFrom('scim', 'corp-ldap', 'entra', 'okta', 'gws', 'hr'), weight: 6 }, { arbitrary: hostileString, weight: 1 });
const duration = fc.oneof({ arbitrary: fc.constantFrom('P90D', 'PT12H', 'P1Y', 'P0D'), weight: 4 }, { arbitrary: fc.constantFrom('90 days', 'P', 'PT', 'P-1D', 'P1e9D', 'P99999999999999999999D', ''), weight: 1 });
const schedule = fc.constantFrom('5m', '30s', '0 3 * * *', '*/5 * * * * *', '99 99 99 99 99', '0 0 31 2 *', '1x', '0ms', '9999999999999d', '* * * * * * *', '@daily');

const sources = fc.array(
  fc.oneof(
    fc.record({ id, kind: fc.constant('scim'), tokenEnv: fc.constantFrom('IDSYNC_SCIM_TOKEN', 'X', 'not a var'), precedence: fc.oneof(fc.integer(), fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 1e15, 1.5, 2 ** 53)) }, { requiredKeys: ['id', 'kind'] }),
    fc.record({ id, kind: fc.constant('ldap'), url: fc.constantFrom('ldap://127.0.0.1:3890', 'ldaps://x', 'http://x', ''), bindDn: fc.constant('cn=admin,dc=example,dc=com'), passwordEnv: fc.constant('LDAP_PW'), users: fc.constant({ baseDn: 'ou=people,dc=example,dc=com', filter: '(objectClass=inetOrgPerson)' }), schedule: fc.record({ delta: schedule, full: schedule }, { requiredKeys: [] }), maxDeletes: fc.constantFrom('5%', 5, '500%', -1, '5', 'x%') }, { requiredKeys: ['id', 'kind', 'url', 'users'] }),
    fc.record({ id, kind: fc.constant('entra'), tenantId: fc.constant('00000000-0000-0000-0000-000000000000'), clientId: fc.constant('11111111-1111-1111-1111-111111111111'), clientSecretEnv: fc.constant('ENTRA_SECRET'), graphUrl: fc.constantFrom('https://graph.microsoft.com/v1.0', 'not a url', 'javascript:alert(1)', 'file:///etc/passwd') }, { requiredKeys: ['id', 'kind', 'tenantId', 'clientId'] }),
    fc.record({ id, kind: fc.constantFrom('okta', 'google', 'csv', 'nis', '') }),
  ),
  { maxLength: 3 },
);
const rule = fc.record({ source: fc.oneof(id, fc.constant('*')), group: fc.oneof(fc.constantFrom('Everyone', 'cn=a,ou=groups,dc=example,dc=com', ''), hostileString) }, { requiredKeys: [] });
const workspaces = fc.array(
  fc.record(
    {
      id: fc.oneof({ arbitrary: fc.constantFrom('analytics', 'sales', 'a', 'x'.repeat(63)), weight: 4 }, { arbitrary: hostileString, weight: 1 }),
      name: fc.oneof({ arbitrary: fc.constantFrom('Analytics', 'Sales'), weight: 3 }, { arbitrary: hostileString, weight: 2 }),
      roles: fc.record({ admin: fc.array(rule, { maxLength: 2 }), editor: fc.array(rule, { maxLength: 2 }), viewer: fc.array(rule, { maxLength: 2 }) }, { requiredKeys: [] }),
    },
    { requiredKeys: ['id', 'name'] },
  ),
  { maxLength: 3 },
);

/** A config as a value: the sections the design names, each present or not. */
const configValue = fc.record(
  {
    organization: fc.record({ internalDomains: fc.array(fc.oneof(fc.constantFrom('example.com', ''), hostileString), { maxLength: 2 }) }),
    sources,
    workspaces,
    lifecycle: fc.record({ externalValidity: duration, maxExtension: duration, graceAfterDeprovision: duration, inactivity: duration, remindBefore: duration, inviteValidity: duration }, { requiredKeys: [] }),
    webhooks: fc.array(fc.record({ url: fc.constantFrom('https://hooks.example.com/x', 'not a url', 'http://[::1'), secretEnv: fc.constantFrom('HOOK_SECRET', '1X'), events: fc.array(fc.constantFrom('*', 'membership.*', 'nope'), { maxLength: 2 }) }, { requiredKeys: ['url'] }), { maxLength: 2 }),
    http: fc.record({ trustProxy: fc.oneof(fc.boolean(), fc.constantFrom('yes', 1, null)) }),
  },
  { requiredKeys: [] },
);

/** Replaces a random node of `value` (by a walk chosen by `steps`) with `replacement`. */
function spliceAt(value: unknown, steps: number[], replacement: unknown): unknown {
  if (steps.length === 0 || typeof value !== 'object' || value === null) return replacement;
  const [step, ...rest] = steps as [number, ...number[]];
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement;
    const copy = [...value];
    const i = step % copy.length;
    copy[i] = spliceAt(copy[i], rest, replacement);
    return copy;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[step % keys.length] as string;
  return { ...(value as Record<string, unknown>), [key]: spliceAt((value as Record<string, unknown>)[key], rest, replacement) };
}

const mutatedConfig = fc
  .tuple(configValue, fc.array(fc.tuple(fc.array(fc.nat(), { maxLength: 5 }), fc.oneof(anyJson, hostileString)), { maxLength: 2 }), fc.constantFrom({}, { surprise: true }, { sources: {} }))
  .map(([config, changes, extra]) => {
    let value: unknown = { ...config, ...extra };
    for (const [steps, replacement] of changes) value = spliceAt(value, steps, replacement);
    return value;
  });

const NASTY_YAML = [
  '',
  '~',
  '---\n...\n',
  'sources: []\n---\nsources: []\n',
  'a: &a [*a, *a]\n',
  'x: &x\n  y: *x\n',
  `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nsources: *g\n`,
  'sources: !!binary aGVsbG8=\n',
  'sources: !!set { a, b }\n',
  'sources: !!omap [ a: 1 ]\n',
  'sources: !<tag:yaml.org,2002:js/function> "function(){}"\n',
  'sources: !custom x\n',
  'base: &base { id: scim, kind: scim }\nsources: [ { <<: *base } ]\n',
  'sources:\n\t- id: scim\n',
  'sources: []\nsources: []\n',
  '__proto__: { polluted: true }\nsources: []\n',
  'constructor: { prototype: { polluted: true } }\n',
  '? [complex, key]\n: value\n',
  'sources: [ { id: scim, kind: scim, precedence: 0x7fffffffff } ]\n',
  'sources: [ { id: scim, kind: scim, precedence: .inf } ]\n',
  'sources: [ { id: scim, kind: scim, precedence: .nan } ]\n',
  'lifecycle: { externalValidity: 2001-12-14t21:59:43.10-05:00 }\n',
  'workspaces: [ { id: "a", name: "\\0" } ]\n',
  'workspaces: [ { id: "a", name: "a\\u0000b" } ]\n',
  '\ufeffsources: []\n',
  'sources: [\n',
  'sources: "unterminated\n',
  '%YAML 1.1\n---\nsources: []\n',
  '%YAML 9.9\n---\nsources: []\n',
  '%TAG ! tag:evil.com,2000:\n---\nsources: !x []\n',
  'sources: 1\nworkspaces: true\nlifecycle: "x"\n',
  '- just\n- a\n- list\n',
  '42\n',
  '"just a string"\n',
  'null\n',
];

export const configDocument: fc.Arbitrary<string | Buffer> = fc.oneof(
  { arbitrary: mutatedConfig.map((v) => stringify(v)), weight: 10 },
  { arbitrary: fc.constantFrom(...NASTY_YAML), weight: 3 },
  { arbitrary: fc.constantFrom(1_000, 10_000, 100_000).map((d) => `sources: ${'['.repeat(d)}${']'.repeat(d)}\n`), weight: 1 },
  { arbitrary: fc.constantFrom(1_000, 2_000).map((d) => `${Array.from({ length: d }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} x\n`), weight: 1 },
  { arbitrary: fc.tuple(configValue, fc.double({ min: 0, max: 1, noNaN: true })).map(([v, cut]) => { const text = stringify(v); return text.slice(0, Math.floor(text.length * cut)); }), weight: 2 },
  { arbitrary: fc.tuple(configValue, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([v, at, byte]) => { const bytes = Buffer.from(stringify(v)); if (bytes.length > 0) bytes[at % bytes.length] = byte; return bytes; }), weight: 2 },
  { arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), weight: 1 },
);
