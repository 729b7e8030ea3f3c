import { describe, expect, it } from 'vitest';
import { readSettings } from '../config/env.js';
import { parseRedisUrl, RedisUrlError } from './redis-target.js';

describe('REDIS_URL', () => {
  it('one server: the URL goes to ioredis as written', () => {
    expect(parseRedisUrl('redis://:pw@10.0.0.1:6380/2')).toEqual({ kind: 'server', url: 'redis://:pw@10.0.0.1:6380/2' });
    expect(parseRedisUrl('rediss://cache.example.com')).toEqual({ kind: 'server', url: 'rediss://cache.example.com' });
  });

  it('a cluster: its nodes, credentials and TLS', () => {
    expect(parseRedisUrl('redis+cluster://127.0.0.1:7000,127.0.0.1:7001,redis-3')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: '127.0.0.1', port: 7001 },
        { host: 'redis-3', port: 6379 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://idsync:p%40ss@[::1]:7000,[fd00::2]/')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '::1', port: 7000 },
        { host: 'fd00::2', port: 6379 },
      ],
      username: 'idsync',
      password: 'p@ss',
      tls: true,
    });
    expect(parseRedisUrl('redis+cluster://:secret@a:1')).toMatchObject({ username: undefined, password: 'secret' });
  });

  it.each([
    ['redis+cluster://', '"" is not a node'],
    ['redis+cluster://a:7000,,b:7001', '"" is not a node'],
    ['redis+cluster://a:70000', '"a:70000" is not a node'],
    ['redis+cluster://a:x', '"a:x" is not a node'],
    ['redis+cluster://a:7000/3', 'no database number'],
    ['redis+cluster://a:7000?db=1', 'no database number'],
    ['redis+cluster:a:7000', 'starts with redis+cluster://'],
  ])('%s is refused: %s', (url, problem) => {
    expect(() => parseRedisUrl(url)).toThrow(RedisUrlError);
    expect(() => parseRedisUrl(url)).toThrow(problem);
  });

  it('a refused URL never quotes its password', () => {
    expect(() => parseRedisUrl('redis+cluster://:hunter2@a:1,b:nope')).toThrow(/^(?!.*hunter2)/s);
  });

  it('readSettings refuses a malformed cluster URL before anything starts', () => {
    expect(() => readSettings({ REDIS_URL: 'redis+cluster://a:7000/1' })).toThrow(RedisUrlError);
    expect(readSettings({ REDIS_URL: 'redis+cluster://a:7000,b:7001' }).redisUrl).toBe('redis+cluster://a:7000,b:7001');
  });
});
