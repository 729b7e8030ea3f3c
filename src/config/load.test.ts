import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './load.js';

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const config = parseConfig({ sources: [{ id: 'scim', kind: 'scim', tokenEnv: 'T' }] });
    expect(config.lifecycle.externalValidity).toBe('P90D');
    expect(config.sources[0]).toMatchObject({ id: 'scim', precedence: 0 });
    expect(config.workspaces).toEqual([]);
  });

  it('lists every problem by its path', () => {
    const list = problems({
      sources: [
        { id: 'scim', kind: 'scim', tokenEnv: 'not a var name' },
        { id: 'corp', kind: 'ldap', url: 'http://x', users: {} },
        { id: 'x', kind: 'nis' },
      ],
      workspaces: [{ id: 'a', name: 'A', roles: { admin: [{ source: 'scim' }], editor: [{ source: 'nope', group: 'g' }] } }],
      lifecycle: { externalValidity: '90 days' },
      surprise: true,
    });
    expect(list).toEqual(
      expect.arrayContaining([
        'sources[0].tokenEnv: must be an environment variable name',
        'sources[1].url: must start with ldap:// or ldaps://',
        'sources[1].users.baseDn: Required',
        'sources[2].kind: kind must be one of scim, ldap, entra, okta, google, csv',
        'workspaces[0].roles.admin[0].group: Required',
        'lifecycle.externalValidity: must be an ISO-8601 duration such as P90D or PT12H',
        '(root): unknown option "surprise"',
      ]),
    );
  });

  it('rejects rules naming an unknown source and duplicate ids', () => {
    const list = problems({
      sources: [{ id: 'scim', kind: 'scim' }, { id: 'scim', kind: 'scim' }],
      workspaces: [{ id: 'a', name: 'A', roles: { viewer: [{ source: 'okta', group: 'g' }] } }],
    });
    expect(list).toEqual(['sources[1].id: duplicate source id "scim"', 'workspaces[0].roles.viewer[0].source: unknown source "okta"']);
  });
});
