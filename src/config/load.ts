import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { IdsyncError } from '../errors.js';
import { configSchema, type Config } from './schema.js';

/** The config file is unusable; `problems` lists every issue by its path. Exit code 2. */
export class ConfigError extends IdsyncError<'config_invalid'> {
  readonly problems: string[];

  constructor(file: string, problems: string[]) {
    super('config_invalid', `invalid configuration in ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/**
 * `workspaces[0].roles.admin[0].group`; a key that is not a plain name is quoted
 * (`attributes["mail address"]`, `["\u0000"]`), so that every path reads back unambiguously.
 */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$-]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? '(root)' : out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'Required';
  if (issue.code === 'unrecognized_keys') return `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator')
    return 'kind must be one of scim, ldap, entra, okta, google, csv';
  return issue.message;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Where `raw` holds text no store can keep (PostgreSQL refuses a NUL character, and a lone UTF-16
 * surrogate in JSON): such a value would pass the schema and fail the daemon's start instead.
 * Iterative, so a document of any depth is walked.
 */
function unstorableText(raw: unknown): string[] {
  // Each node knows its parent, so a path is built only for a problem: copying it at every level
  // would take memory quadratic in the depth (a 100,000-level document ran the heap out).
  type Node = { value: unknown; key: PropertyKey | undefined; parent: Node | undefined };
  const pathOf = (node: Node): PropertyKey[] => {
    const path: PropertyKey[] = [];
    for (let n: Node | undefined = node; n?.key !== undefined; n = n.parent) path.unshift(n.key);
    return path;
  };
  const problems: string[] = [];
  // A YAML alias can make a node its own descendant (`a: &a [*a]`): each object is walked once.
  const seen = new Set<object>();
  const stack: Node[] = [{ value: raw, key: undefined, parent: undefined }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const { value } = node;
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) continue;
      seen.add(value);
    }
    if (typeof value === 'string') {
      if (value.includes('\u0000')) problems.push(`${formatPath(pathOf(node))}: must not contain a NUL character`);
      else if (LONE_SURROGATE.test(value)) problems.push(`${formatPath(pathOf(node))}: must not contain a lone UTF-16 surrogate`);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, key: i, parent: node }));
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) stack.push({ value: v, key: k, parent: node });
    }
  }
  return problems.reverse();
}

export function parseConfig(raw: unknown, file = '<config>'): Config {
  const result = configSchema.safeParse(raw ?? {}, { reportInput: true });
  const problems = result.success ? [] : result.error.issues.map((issue) => `${formatPath(issue.path)}: ${describeIssue(issue)}`);
  problems.push(...unstorableText(raw));
  if (result.success && problems.length === 0) return result.data;
  throw new ConfigError(file, problems);
}

export async function loadConfig(file: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(file, [`cannot read the file: ${(cause as Error).message}`]);
  }
  return parseConfig(parseYamlText(text, file), file);
}

/**
 * The document as plain data. YAML's warnings (an unknown tag such as `!custom`, which it would
 * read as a plain string) are problems too, each with its line; `logLevel: 'silent'` keeps the
 * library from printing them to stderr itself.
 */
export function parseYamlText(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, logLevel: 'silent' });
  const faults = [...doc.errors, ...doc.warnings];
  if (faults.length > 0) throw new ConfigError(file, faults.map((f) => `not valid YAML: ${f.message}`));
  try {
    // Aliases expanding past 100 nodes (a "billion laughs" document) are refused here.
    return doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw new ConfigError(file, [`not valid YAML: ${cause instanceof Error ? cause.message : String(cause)}`]);
  }
}
