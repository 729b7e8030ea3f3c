import { pino, type Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear in a log line: credentials never reach the logs, even
 * if a caller passes a whole request or options object by mistake.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  'token',
  'secret',
  'clientSecret',
  'apiToken',
  'accessToken',
  'privateKey',
  '*.password',
  '*.token',
  '*.secret',
  '*.clientSecret',
  '*.apiToken',
  '*.accessToken',
  '*.privateKey',
];

/**
 * The fields of an error a log line keeps, besides its type, message, stack, `code` and `cause`:
 * the ones of idsync's error family that help an operator. Whatever else an error object carries
 * is left out — a library's error may hold the request it made or the command it sent, credentials
 * included (pino's own serialiser copies every field).
 */
const ERROR_FIELDS = ['sourceId', 'attribute', 'httpStatus', 'retryAfterMs', 'status', 'problems', 'constraint'] as const;
/** A cause of a cause of … is cut off here: enough for any chain idsync builds, and a cycle ends. */
const MAX_CAUSE_DEPTH = 5;

/**
 * `err` in a log line: `{ type, message, stack, code, cause: { … } }`. The cause is kept as an
 * error of its own (pino's serialiser folds its message into the outer one and drops its code).
 */
function serializeError(error: unknown, depth = 0): unknown {
  // A thrown value that is not an Error: as it is at the top (callers log hand-made `err` objects), as text inside a chain.
  if (!(error instanceof Error)) return depth === 0 ? error : String(error);
  const out: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  const fields = error as unknown as Record<string, unknown>;
  if (typeof fields['code'] === 'string' || typeof fields['code'] === 'number') out['code'] = fields['code'];
  for (const field of ERROR_FIELDS) if (fields[field] !== undefined) out[field] = fields[field];
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) out['cause'] = serializeError(error.cause, depth + 1);
  if (error instanceof AggregateError && depth < MAX_CAUSE_DEPTH) out['errors'] = error.errors.map((e: unknown) => serializeError(e, depth + 1));
  return out;
}

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'idsync' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: (error: unknown) => serializeError(error) },
    },
    options.destination ?? process.stdout,
  );
}
