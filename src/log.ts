import { pino, type Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear in a log line: credentials never reach the logs, even
 * if a caller passes a whole request or options object by mistake.
 */
export const REDACT_PATHS = [
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

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    { level: options.level ?? 'info', base: { service: 'idsync' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    options.destination ?? process.stdout,
  );
}
