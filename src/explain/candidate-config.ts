import { ConfigError, parseConfig, parseYamlText } from '../config/load.js';
import type { Config } from '../config/schema.js';

/** Where the problems of a candidate are said to be, as `ConfigError` names the file. */
const CANDIDATE = 'the candidate';

/**
 * The config the daemon would run with if `document` (a config file's text, YAML or JSON, or its
 * parsed JSON) replaced its `workspaces` and, when given, its `lifecycle` section. Everything else
 * (sources, organization…) stays as running: a preview is about rules, and rules are validated
 * against the running sources exactly as at start-up, so a problem is named by the same path.
 * Throws `ConfigError` listing every problem.
 */
export function candidateConfig(current: Config, document: unknown): Config {
  const raw = typeof document === 'string' ? parseYamlText(document, CANDIDATE) : document;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(CANDIDATE, ['(root): must be a mapping with a workspaces section']);
  }
  const sections = raw as Record<string, unknown>;
  if (!('workspaces' in sections)) throw new ConfigError(CANDIDATE, ['workspaces: Required']);
  // The running config as plain data again: parsing it a second time gives the same config.
  const running = JSON.parse(JSON.stringify(current)) as Record<string, unknown>;
  return parseConfig(
    { ...running, workspaces: sections['workspaces'], ...('lifecycle' in sections ? { lifecycle: sections['lifecycle'] } : {}) },
    CANDIDATE,
  );
}
