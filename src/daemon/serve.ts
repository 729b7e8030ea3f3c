import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { InFlightRequests } from '../api/in-flight.js';
import { listen, type HttpLimits } from '../api/listen.js';
import type { Settings } from '../config/env.js';
import type { Closers } from './closers.js';

export interface ServeOptions {
  settings: Settings;
  httpLimits: Partial<HttpLimits> | undefined;
  logger: Logger;
  closers: Closers;
  inFlight: InFlightRequests;
  /** Runs once the last request has finished, before the store closes. */
  drained?: () => Promise<void>;
}

/**
 * Listens, and on close stops accepting and lets open requests finish (they still use the store and
 * Redis). Returns `http://host:port`.
 */
export async function serve(app: Express, { settings, httpLimits, logger, closers, inFlight, drained }: ServeOptions): Promise<string> {
  let server: Server;
  try {
    server = await listen(app, { host: settings.host, port: settings.port, limits: httpLimits });
  } catch (error) {
    // Workers started before stop, and the store closes (releasing its data directory), before the error is told.
    await closers.run(logger);
    throw error;
  }
  closers.first(async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (!(await inFlight.idle(3000))) logger.warn({ requests: inFlight.count }, 'requests still running at shutdown');
    server.closeAllConnections();
    await closed;
    await drained?.();
  });
  const address = server.address() as AddressInfo;
  return `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
}
