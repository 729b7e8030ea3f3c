/**
 * config/example.yaml documents every option (design §2): it must load with the real loader, and
 * every key of the config schema — walked through its zod shapes, per source kind — must appear in
 * it, set or commented out (`# key: value` at the key's own indentation).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';
import { configSchema } from './schema.js';

const EXAMPLE = fileURLToPath(new URL('../../config/example.yaml', import.meta.url));

type Schema = z.core.$ZodType;

/** `sources[ldap].tls.caFile`, `workspaces[].roles.admin[].group`: every key the schema accepts. */
function schemaPaths(schema: Schema, path = '', out = new Set<string>()): Set<string> {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
      return schemaPaths(def['innerType'] as Schema, path, out);
    case 'pipe':
      return schemaPaths(def['in'] as Schema, path, out);
    case 'array':
      return schemaPaths(def['element'] as Schema, `${path}[]`, out);
    case 'union':
      for (const option of def['options'] as Schema[]) {
        const kind = literalKind(option);
        schemaPaths(option, kind === undefined ? path : path.replace(/\[\]$/, `[${kind}]`), out);
      }
      return out;
    case 'object':
      for (const [key, value] of Object.entries(def['shape'] as Record<string, Schema>)) {
        const child = path === '' ? key : `${path}.${key}`;
        out.add(child);
        schemaPaths(value, child, out);
      }
      return out;
    default:
      // records (free keys), scalars: nothing below them to document
      return out;
  }
}

/** A union member's `kind` literal (the sources' discriminator), if it has one. */
function literalKind(schema: Schema): string | undefined {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  if (def.type !== 'object') return undefined;
  const kind = (def['shape'] as Record<string, Schema>)['kind'];
  const values = kind === undefined ? undefined : ((kind._zod.def as unknown as { values?: unknown[] }).values);
  return typeof values?.[0] === 'string' ? values[0] : undefined;
}

/** Every key path the document holds, its sources labelled by kind as `schemaPaths` labels them. */
function documentPaths(value: unknown, path = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) {
      const kind = path === 'sources' && typeof item === 'object' && item !== null ? (item as { kind?: unknown }).kind : undefined;
      documentPaths(item, typeof kind === 'string' ? `${path}[${kind}]` : `${path}[]`, out);
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      out.add(childPath);
      documentPaths(child, childPath, out);
    }
  }
  return out;
}

/** The three roles take one rule schema: its keys are shown once, under any role. */
function sameRuleForEveryRole(path: string): string {
  return path.replace(/\.roles\.(admin|editor|viewer)\[\]\./, '.roles.<role>[].');
}

/**
 * Keys the schema takes that the example leaves out on purpose. `schedule` is shared by all pulled
 * sources, but Google offers no delta (a delta schedule would run full runs).
 */
const NOT_SHOWN = new Set(['sources[google].schedule.delta']);

/** The text with its commented-out options (`# key: value`, at the key's indentation) put back. */
function uncommented(text: string): string {
  return text.replace(/^(\s*)# ([A-Za-z][A-Za-z0-9_]*:(?: |$))/gm, '$1$2');
}

function parsedYaml(text: string): unknown {
  const doc = parseDocument(text);
  expect(doc.errors.map((e) => e.message)).toEqual([]);
  return doc.toJS();
}

describe('config/example.yaml', () => {
  it('loads with the real config loader', async () => {
    const config = await loadConfig(EXAMPLE);
    expect(config.sources.map((s) => s.kind).sort()).toEqual(['csv', 'entra', 'google', 'ldap', 'okta', 'scim']);
  });

  it('shows every option of the schema, set or commented out', async () => {
    const text = await readFile(EXAMPLE, 'utf8');
    const shown = new Set([...documentPaths(parsedYaml(uncommented(text)))].map(sameRuleForEveryRole));
    const missing = [...schemaPaths(configSchema)].filter((path) => !NOT_SHOWN.has(path) && !shown.has(sameRuleForEveryRole(path)));
    expect(missing).toEqual([]);
  });

  it('finds a missing option (the walk reaches the nested, per-kind keys)', async () => {
    const paths = schemaPaths(configSchema);
    for (const path of ['sources[ldap].deltaOverlapMs', 'sources[ldap].tls.caFile', 'sources[entra].retry.maxWaitMs', 'sources[google].concurrency', 'workspaces[].roles.viewer[].appRole', 'console.oidc.requireMfa'])
      expect(paths).toContain(path);
    const text = await readFile(EXAMPLE, 'utf8');
    const withoutOverlap = text.replace(/^[ \t]*deltaOverlapMs:.*\n/m, '');
    expect(withoutOverlap).not.toBe(text);
    expect(documentPaths(parsedYaml(uncommented(withoutOverlap)))).not.toContain('sources[ldap].deltaOverlapMs');
  });
});
