/**
 * Dependencies point one way (issue #16, item 6). Connectors depend only on the connector seam —
 * its types and errors, the shared source config fields and the pure domain — never on engine
 * internals (sync, ingest, store, queue, SCIM …). One registry (connectors/registry.ts) wires kinds
 * to their config schemas and factories: the config loader reaches the connectors only through it,
 * and no connector imports it. Lifecycle sweeps do not import admin operations, and admin
 * operations do not import the admin API. Observed state has one writer (design §1): only ingest
 * imports the store functions that write it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * What a connector may import from src/ (paths relative to the repository root): the seam folder
 * (records, the Connector interface, its errors, shared config fields), the pure domain, and the
 * error base the seam's errors extend.
 */
const CONNECTOR_SEAM = [/^src\/connector\//, /^src\/domain\//, /^src\/errors\.ts$/];

/** Production .ts files under `dir` (tests and fakes left out), relative to the repository root. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (name === 'node_modules' || name === 'fakes') continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path.relative(ROOT, p));
    }
  };
  walk(path.join(ROOT, dir));
  return out;
}

/** The repository files a module imports (static, `export … from` and dynamic), relative specifiers only. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm)].map((m) => m[1] as string);
  return specifiers.map((s) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s)).replace(/\.js$/, '.ts'));
}

function violations(files: string[], forbidden: (target: string, file: string) => boolean): string[] {
  return files.flatMap((file) => importsOf(file).filter((target) => forbidden(target, file)).map((target) => `${file} → ${target}`));
}

describe('import direction', () => {
  it('the import reader sees what the files import (a test of this test)', () => {
    expect(importsOf('connectors/registry.ts')).toContain('connectors/ldap/index.ts');
    expect(importsOf('src/sync/connectors.ts')).toContain('connectors/registry.ts');
    expect(sourceFiles('connectors').length).toBeGreaterThan(20);
  });

  it('connectors import from src/ only the connector seam, never engine internals', () => {
    const bad = violations(sourceFiles('connectors'), (target) => target.startsWith('src/') && !CONNECTOR_SEAM.some((allowed) => allowed.test(target)));
    expect(bad).toEqual([]);
  });

  it('the connector seam itself reaches no further than the domain and the error base', () => {
    const bad = violations(sourceFiles('src/connector'), (target) => !CONNECTOR_SEAM.some((allowed) => allowed.test(target)));
    expect(bad).toEqual([]);
  });

  it('no connector imports the registry, and src/ reaches connectors only through it', () => {
    const fromConnectors = violations(
      sourceFiles('connectors').filter((f) => f !== 'connectors/registry.ts'),
      (target) => target === 'connectors/registry.ts',
    );
    const fromSrc = violations(sourceFiles('src'), (target) => target.startsWith('connectors/') && target !== 'connectors/registry.ts');
    expect([...fromConnectors, ...fromSrc]).toEqual([]);
  });

  it('lifecycle sweeps do not import admin operations', () => {
    expect(violations(sourceFiles('src/lifecycle'), (target) => target.startsWith('src/admin/'))).toEqual([]);
  });

  it('the V8 heap setting is switched only by the job processors (sync runs, reconcile jobs)', () => {
    const processors = ['src/sync/sync-service.ts', 'src/reconcile/change-worker.ts'];
    const switchers = sourceFiles('src').filter((file) => importsOf(file).includes('src/runtime/heap.ts'));
    expect(switchers.sort()).toEqual(processors.sort());
  });

  it('admin operations do not import the admin API (who is asking and token hashing live in src/domain)', () => {
    expect(violations(sourceFiles('src/admin'), (target) => target.startsWith('src/api/'))).toEqual([]);
  });

  it('observed state has one writer: only src/ingest imports the observed-state writes of the store', () => {
    const observedWrites = /^src\/store\/observed\/(.+-writes|written-rows)\.ts$/;
    const outsideIngest = sourceFiles('src').filter((f) => !f.startsWith('src/ingest/') && !f.startsWith('src/store/observed/'));
    expect(violations(outsideIngest, (target) => observedWrites.test(target))).toEqual([]);
  });

  it('the observed-state writes are found by what their statements do (a test of this test)', () => {
    const writers = observedWriters();
    for (const name of ['upsertUsers', 'writeUserIfChanged', 'softDeleteGroups', 'addMembersToGroup', 'storeMembersHashes', 'saveMemberDisplays']) {
      expect(writers.get(name), name).toBeDefined();
    }
    for (const name of ['membersOfGroups', 'lockStoredGroups', 'scimGroupMembers', 'SourceRecords']) expect(writers.get(name), name).toBeUndefined();
    expect(importedNames('src/ingest/ingest.ts')).toContainEqual({ from: 'src/store/observed/group-writes.ts', name: 'softDeleteGroups' });
  });

  it('observed state has one writer: no file outside src/ingest, in the store or above it, imports an observed-state write', () => {
    const writers = observedWriters();
    const bad = sourceFiles('src')
      .filter((file) => !file.startsWith('src/ingest/'))
      .flatMap((file) => importedNames(file).filter(({ from, name }) => writers.get(name) === from || (name === '*' && [...writers.values()].includes(from))).map(({ from, name }) => `${file} → ${from} ${name}`));
    expect(bad).toEqual([]);
  });

  it('the store imports no layer above it', () => {
    const above = /^src\/(ingest|sync|scim|reconcile|admin|api|lifecycle|queue|daemon|console|explain|webhooks)\//;
    expect(violations(sourceFiles('src/store'), (target) => above.test(target))).toEqual([]);
  });
});

/** The names a module imports from repository files (`*` for a namespace import), with the file they come from. */
function importedNames(file: string): Array<{ from: string; name: string }> {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const resolve = (s: string) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s)).replace(/\.js$/, '.ts');
  const named = [...text.matchAll(/\b(?:import|export)\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'(\.{1,2}\/[^']+)'/g)].flatMap((m) =>
    (m[1] as string)
      .split(',')
      .map((part) => part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0] as string)
      .filter((name) => name !== '')
      .map((name) => ({ from: resolve(m[2] as string), name })),
  );
  const namespaces = [...text.matchAll(/\bimport\s+\*\s+as\s+[\w$]+\s+from\s*'(\.{1,2}\/[^']+)'/g)].map((m) => ({ from: resolve(m[1] as string), name: '*' }));
  return [...named, ...namespaces];
}

/** An insert, update or delete of observed state's tables. */
const OBSERVED_WRITE = /(?<![\w$])(?:insert\s+into|update|delete\s+from)\s+(?:source_users|source_groups|source_group_members)\b/i;

/**
 * The top-level functions, statements and classes of src/store/observed that write observed state,
 * each with its file: those whose literals insert, update or delete rows of its tables, and those
 * that use one of them (a statement constant, a helper) — found from the code, so a new write is
 * covered wherever in the folder it is added.
 */
function observedWriters(): Map<string, string> {
  const writers = new Map<string, string>();
  for (const file of sourceFiles('src/store/observed')) {
    const source = readFileSync(path.join(ROOT, file), 'utf8');
    const starts = [...source.matchAll(/^(?:export\s+)?(?:async\s+)?(?:function\*?|const|let|class)\s+([\w$]+)/gm)];
    const declarations = starts.map((m, k) => {
      const text = source.slice(m.index, starts[k + 1]?.index ?? source.length);
      return { name: m[1] as string, text, code: text.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '') };
    });
    const found = new Set(declarations.filter((d) => literalsOf(d.text).some((literal) => OBSERVED_WRITE.test(literal))).map((d) => d.name));
    for (let grew = true; grew; ) {
      grew = false;
      for (const d of declarations) {
        if (found.has(d.name) || ![...found].some((name) => new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(d.code))) continue;
        found.add(d.name);
        grew = true;
      }
    }
    for (const name of found) writers.set(name, file);
  }
  return writers;
}

/**
 * The text of every string and template literal in a TypeScript source (comments and regular
 * expressions left out; a template's `${…}` expressions are read as code).
 */
function literalsOf(source: string): string[] {
  const literals: string[] = [];
  let i = 0;
  const quoted = (quote: string): string => {
    let text = '';
    for (i++; i < source.length && source[i] !== quote && source[i] !== '\n'; i++) {
      if (source[i] === '\\') i++;
      text += source[i] ?? '';
    }
    i++;
    return text;
  };
  const template = (): string => {
    let text = '';
    for (i++; i < source.length && source[i] !== '`'; i++) {
      if (source[i] === '\\') i++;
      if (source[i] === '$' && source[i + 1] === '{') {
        i += 2;
        code(true);
        i--;
        text += '${…}';
      } else text += source[i] ?? '';
    }
    i++;
    return text;
  };
  const regex = (): void => {
    let inClass = false;
    for (i++; i < source.length && source[i] !== '\n'; i++) {
      if (source[i] === '\\') i++;
      else if (source[i] === '[') inClass = true;
      else if (source[i] === ']') inClass = false;
      else if (source[i] === '/' && !inClass) break;
    }
    i++;
  };
  // A `/` starts a regular expression where an operand is expected, not after a value.
  const startsOperand = (): boolean => /(?:^|[(,=:[!&|?{};+\-*%<>~^]|\b(?:return|typeof|case|in|of|void|yield|await))\s*$/.test(source.slice(Math.max(0, i - 12), i));
  function code(closeOnBrace: boolean): void {
    let depth = 0;
    while (i < source.length) {
      const c = source[i] as string;
      if (c === '/' && source[i + 1] === '/') i = source.includes('\n', i) ? source.indexOf('\n', i) : source.length;
      else if (c === '/' && source[i + 1] === '*') i = source.includes('*/', i + 2) ? source.indexOf('*/', i + 2) + 2 : source.length;
      else if (c === "'" || c === '"') literals.push(quoted(c));
      else if (c === '`') literals.push(template());
      else if (c === '/' && startsOperand()) regex();
      else {
        if (c === '{') depth++;
        if (c === '}' && depth-- === 0 && closeOnBrace) {
          i++;
          return;
        }
        i++;
      }
    }
  }
  code(false);
  return literals;
}

/** The opening words of a SQL statement (not Microsoft Graph's `$select` query option). */
const SQL = /(?<![\w$])(?:select|insert\s+into|update\s+\w+(?:\s+\w+)?\s+set|delete\s+from)\b/i;

describe('SQL lives in src/store', () => {
  it('the SQL finder reads literals, not comments or regular expressions (a test of this test)', () => {
    const sample = [
      "// select id from people",
      "/* delete from people */",
      "const pattern = /'select x from y'/i;",
      "const q = `update people p set email = ${'$'}1 where ${`p.id = ${x}`}`;",
      "const r = 'insert into audit_log (a) values ($1)';",
      "const graph = '/users?$select=id,displayName';",
    ].join('\n');
    const found = literalsOf(sample).filter((text) => SQL.test(text));
    expect(found).toEqual(['update people p set email = ${…}1 where ${…}', 'insert into audit_log (a) values ($1)']);
    expect(literalsOf(readFileSync(path.join(ROOT, 'src/store/observed/scim-users.ts'), 'utf8')).some((text) => SQL.test(text))).toBe(true);
  });

  it('no production file outside src/store holds SQL', () => {
    const files = [...sourceFiles('src'), ...sourceFiles('connectors')].filter((f) => !f.startsWith('src/store/'));
    const withSql = files.filter((f) => literalsOf(readFileSync(path.join(ROOT, f), 'utf8')).some((text) => SQL.test(text)));
    expect(withSql).toEqual([]);
  });
});
