/**
 * Config fields every source shares (id, precedence, schedule, secrets by environment variable
 * name, …). They live beside the connector seam, not in src/config, because each connector's
 * `config.ts` builds its schema from them: connectors import this, and the config loader imports
 * the connectors' schemas through connectors/registry.ts — so the arrows run one way.
 */
import { z } from 'zod';
import { CronExpressionParser } from 'cron-parser';
import { parseDuration, parseInterval } from '../domain/duration.js';

/** Source ids appear in URLs, queue job ids and audit rows. */
export const sourceId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, "-" or "_" (at most 63)');

/** The name of an environment variable that holds a secret; secrets are never written inline. */
export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/** ISO-8601 duration such as `P90D` or `PT12H`, kept as text; `parseDuration` gives milliseconds. */
export const isoDuration = z.string().refine((v) => parseDuration(v) !== undefined, {
  message: 'must be an ISO-8601 duration such as P90D or PT12H',
});

const DAY_MS = 86_400_000;

/**
 * `5m`, `30s`, `2h` — from 1 s to 366 d — or a five- or six-field cron expression that parses.
 * Checked here because the job scheduler refuses the others only when the daemon starts (`0ms`
 * was accepted and then stopped the start).
 */
const scheduleSpec = z.string().superRefine((value, ctx) => {
  const every = parseInterval(value);
  if (every !== undefined) {
    if (every < 1000 || every > 366 * DAY_MS) ctx.addIssue({ code: 'custom', message: 'an interval must be from 1s to 366d' });
    return;
  }
  if (!/^(\S+\s+){4,5}\S+$/.test(value.trim())) {
    ctx.addIssue({ code: 'custom', message: 'must be an interval such as 5m or a cron expression such as "0 3 * * *"' });
    return;
  }
  try {
    CronExpressionParser.parse(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a valid cron expression: ${error instanceof Error ? error.message : String(error)}` });
  }
});

export const schedule = z
  .object({ delta: scheduleSpec.optional(), full: scheduleSpec.optional() })
  .strict();

/** `5%` of the source's users, or an absolute count. */
export const maxDeletes = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?%$/, 'must be a count or a percentage such as 5%'),
]);

/**
 * Higher wins for person attributes. Stored as a PostgreSQL `integer`: a value past its range would
 * pass here and stop the daemon's start instead. Default 0.
 */
export const precedence = z.number().int().min(-2_147_483_648).max(2_147_483_647).default(0);

/** An idsync attribute name, as rules name it (`department`, `employeeType`). */
export const attributeName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'must be a letter followed by letters, digits or "_" (at most 63)');

/**
 * `attributes: { idsyncName: directoryAttribute }` — attributes rules may match on, beyond (or
 * instead of) the common ones the source's kind maps by default (`domain/source-attribute-views.ts`).
 */
export const attributeOverrides = z.record(attributeName, z.string().min(1));

/** Fields every pulled source shares. */
export const pulledSourceFields = {
  id: sourceId,
  precedence,
  schedule: schedule.optional(),
  maxDeletes: maxDeletes.default('10%'),
  pageSize: z.number().int().positive().optional(),
  attributes: attributeOverrides.optional(),
};
