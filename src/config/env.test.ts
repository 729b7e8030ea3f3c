import { describe, expect, it } from 'vitest';
import { readSettings } from './env.js';

describe('readSettings', () => {
  it('PORT: default 8080, a number as written, refused when not a port', () => {
    expect(readSettings({}).port).toBe(8080);
    expect(readSettings({ PORT: '9090' }).port).toBe(9090);
    expect(readSettings({ PORT: '0' }).port).toBe(0);
    expect(() => readSettings({ PORT: 'http' })).toThrow('PORT must be a port number, got "http"');
    expect(() => readSettings({ PORT: '65536' })).toThrow(/PORT must be a port number/);
  });

  it('an empty PORT counts as unset, like every other variable, not as port 0 (a random port)', () => {
    const settings = readSettings({ PORT: '' });
    expect(settings.port).toBe(8080);
    expect(settings.daemonUrl).toBe('http://127.0.0.1:8080');
  });

  it('the daemon URL follows PORT unless IDSYNC_URL is set', () => {
    expect(readSettings({ PORT: '9090' }).daemonUrl).toBe('http://127.0.0.1:9090');
    expect(readSettings({ PORT: '9090', IDSYNC_URL: 'https://idsync.example.com' }).daemonUrl).toBe('https://idsync.example.com');
  });

  it('empty variables take their defaults', () => {
    const settings = readSettings({ HOST: '', REDIS_URL: '', DATABASE_URL: '', IDSYNC_DATA_DIR: '', IDSYNC_CONFIG: '', LOG_LEVEL: '' });
    expect(settings).toMatchObject({
      host: '127.0.0.1',
      redisUrl: 'redis://127.0.0.1:6379',
      databaseUrl: undefined,
      dataDir: './data',
      configFile: 'config/default.yaml',
      logLevel: 'info',
    });
  });
});
