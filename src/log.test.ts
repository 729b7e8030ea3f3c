import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.js';
import { ConnectorError } from './connector/errors.js';
import { IngestConflictError } from './ingest/errors.js';

function capture(): { logger: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const logger = createLogger({ destination: new Writable({ write: (chunk, _enc, done) => (chunks.push(String(chunk)), done()) }) });
  return { logger, lines: () => chunks.map((c) => JSON.parse(c) as Record<string, unknown>) };
}

describe('errors in log lines', () => {
  it('keep their type, code and cause chain, each cause with its own code', () => {
    const { logger, lines } = capture();
    const pg = Object.assign(new Error('duplicate key value violates unique constraint "source_users_user_name"'), { code: '23505', constraint: 'source_users_user_name' });
    const conflict = new IngestConflictError('user', 'userName', 'userName already exists in source "hr"', { cause: pg });
    logger.warn({ err: new ConnectorError('connector_upstream', 'source "hr": write failed', { cause: conflict, sourceId: 'hr' }) }, 'sync run failed');

    const [line] = lines();
    expect(line?.['msg']).toBe('sync run failed');
    expect(line?.['err']).toMatchObject({
      type: 'ConnectorError',
      code: 'connector_upstream',
      message: 'source "hr": write failed',
      sourceId: 'hr',
      cause: {
        type: 'IngestConflictError',
        code: 'ingest_conflict',
        attribute: 'userName',
        cause: { type: 'Error', code: '23505', constraint: 'source_users_user_name' },
      },
    });
    expect(String((line?.['err'] as { stack?: unknown }).stack)).toContain('ConnectorError');
  });

  it('leave out what a library error carries besides (it may hold credentials), and redaction still applies', () => {
    const { logger, lines } = capture();
    const fromLibrary = Object.assign(new Error('ERR wrong number of arguments'), { command: { name: 'set', args: ['sess:1', 's3cret-session'] }, password: 'hunter2' });
    logger.warn({ err: new ConnectorError('connector_auth', 'refused', { cause: fromLibrary }), options: { clientSecret: 'also-secret' } }, 'refused');

    const text = JSON.stringify(lines());
    expect(text).not.toContain('s3cret-session');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('also-secret');
    expect(text).toContain('ERR wrong number of arguments');
  });

  it('end a cause cycle instead of looping', () => {
    const { logger, lines } = capture();
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    logger.error({ err: a }, 'cycle');
    expect(JSON.stringify(lines()[0])).toContain('"message":"b"');
  });
});
