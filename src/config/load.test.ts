import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from './load.js';

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
        'workspaces[0].roles.admin[0]: a rule needs one of group, appRole or attribute',
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

  // Found by the config fuzzer (test/fuzz/config-fuzz.test.ts), each with its literal document.
  describe('documents the fuzzer found', () => {
    async function fileProblems(text: string): Promise<string[]> {
      const dir = mkdtempSync(join(tmpdir(), 'idsync-config-'));
      try {
        writeFileSync(join(dir, 'c.yaml'), text);
        await loadConfig(join(dir, 'c.yaml'));
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      throw new Error('expected the document to be rejected');
    }

    it('a NUL character in a value (it passed the schema and then failed the start in PostgreSQL)', async () => {
      expect(await fileProblems('workspaces: [ { id: "a", name: "\\0" } ]\n')).toEqual(['workspaces[0].name: must not contain a NUL character']);
      expect(await fileProblems('workspaces: [ { id: "a", name: "x\\ud800" } ]\n')).toEqual(['workspaces[0].name: must not contain a lone UTF-16 surrogate']);
    });

    it('an alias inside its own anchor (it sent the loader round the cycle until the heap ran out)', async () => {
      expect(await fileProblems('a: &a [*a, *a]\n')).toEqual(['(root): unknown option "a"']);
    });

    it('a precedence past PostgreSQL\'s integer (it passed the schema and then failed the start)', () => {
      for (const precedence of [2 ** 31, 1e15, -(2 ** 31) - 1]) {
        expect(problems({ sources: [{ id: 'scim', kind: 'scim', precedence }] })).toEqual([expect.stringMatching(/^sources\[0\]\.precedence: /)]);
      }
      expect(parseConfig({ sources: [{ id: 'scim', kind: 'scim', precedence: 2 ** 31 - 1 }] }).sources[0]?.precedence).toBe(2 ** 31 - 1);
    });

    it('a schedule the job scheduler refuses at start (delta: 0ms; a cron field out of range)', () => {
      const ldap = (delta: string) => ({ sources: [{ id: 'scim', kind: 'ldap', url: 'ldap://127.0.0.1:3890', users: { baseDn: 'ou=people,dc=example,dc=com' }, schedule: { delta } }] });
      expect(problems(ldap('0ms'))).toEqual(['sources[0].schedule.delta: an interval must be from 1s to 366d']);
      expect(problems(ldap('99 99 99 99 99'))).toEqual([expect.stringMatching(/^sources\[0\]\.schedule\.delta: not a valid cron expression: /)]);
      expect(parseConfig(ldap('*/5 * * * * *')).sources[0]).toMatchObject({ schedule: { delta: '*/5 * * * * *' } });
    });

    it('a key that is not a plain name is quoted in the path (a NUL key came out raw)', async () => {
      expect(await fileProblems('"\\0":\n  value: "\\ud800"\n')).toEqual(['(root): unknown option "\\u0000"', '["\\u0000"].value: must not contain a lone UTF-16 surrogate']);
    });

    it('a tag YAML does not know is a problem with its line, not a warning printed to stderr', async () => {
      expect(await fileProblems('sources: !custom x\n')).toEqual([expect.stringMatching(/^not valid YAML: Unresolved tag: !custom at line 1, column 10/)]);
    });
  });
});
