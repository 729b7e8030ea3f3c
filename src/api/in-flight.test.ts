import express from 'express';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { InFlightRequests } from './in-flight.js';

describe('InFlightRequests', () => {
  it('waits for a handler to answer even after its client hung up', async () => {
    const inFlight = new InFlightRequests();
    let release: () => void = () => {};
    const app = express();
    app.use(inFlight.middleware);
    app.get('/slow', async (_req, res) => {
      await new Promise<void>((r) => (release = r));
      res.json({ done: true });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const abort = new AbortController();
    const request = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`, { signal: abort.signal }).catch(() => undefined);
    while (inFlight.count === 0) await new Promise((r) => setTimeout(r, 5));
    abort.abort();
    await request;

    expect(await inFlight.idle(50)).toBe(false);
    const idle = inFlight.idle(2000);
    release();
    expect(await idle).toBe(true);
    expect(inFlight.count).toBe(0);
    server.close();
  });
});
