/**
 * Requests Node's HTTP parser refuses before any route sees them get the body their API promises.
 * Found by the SCIM fuzzer: headers over Node's 16 KiB limit were answered 431 with no body at all.
 */
import { request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from './listen.js';

function send(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; type: string | undefined; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('answers to requests the HTTP parser refuses', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = await listen((_req, res) => res.end('reached the app'), { host: '127.0.0.1', port: 0 });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('headers too large: 431 with a SCIM error under /scim, the API error elsewhere', async () => {
    const huge = { 'x-fuzz': 'x'.repeat(20_000) };
    expect(await send(port, '/scim/v2/Users', huge)).toEqual({
      status: 431,
      type: 'application/scim+json; charset=utf-8',
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '431', detail: 'The request headers are larger than the server accepts' },
    });
    expect(await send(port, '/api/v1/workspaces', huge)).toEqual({
      status: 431,
      type: 'application/json; charset=utf-8',
      body: { error: { code: 'headers_too_large', message: 'The request headers are larger than the server accepts' } },
    });
  });
});
