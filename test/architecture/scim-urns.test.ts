/**
 * Each SCIM URN is defined once (issue #16, item 7): production code names the schema and message
 * URNs through src/scim/schema-urns.ts, never by spelling them out again.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HOME = 'src/scim/schema-urns.ts';

/** Production .ts files under `dir` (tests left out), relative to the repository root. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path.relative(ROOT, p));
    }
  };
  walk(path.join(ROOT, dir));
  return out;
}

/** The string literals of `file` (comments are not literals) that spell a SCIM URN. */
function scimUrnsIn(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)) && node.text.startsWith('urn:ietf:params:scim:')) found.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('SCIM URNs', () => {
  it('are spelled out only in src/scim/schema-urns.ts', () => {
    const elsewhere = sourceFiles('src')
      .filter((file) => file !== HOME)
      .flatMap((file) => scimUrnsIn(file).map((urn) => `${file}: ${urn}`));
    expect(elsewhere).toEqual([]);
  });

  it('are each defined once there', () => {
    const urns = scimUrnsIn(HOME);
    expect(urns.length).toBeGreaterThan(0);
    expect(new Set(urns).size).toBe(urns.length);
  });
});
