/**
 * The thread a `threadedConnector` lists the directory on. Each `next` grants it pages to read
 * ahead; it sends each page as soon as it has read it (then `done`, or the error), passes
 * throttling events on, and closes the connector on `close`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Env } from '../config/env.js';
import type { ConnectorPage, ThrottleEvent } from './connector.js';
import { createConnectorHere, type PulledSourceConfig } from './connectors.js';
import { ConnectorError, RetryableConnectorError } from './errors.js';

export type ThreadListing = { mode: 'full' } | { mode: 'delta'; cursor: string };
export type ThreadRequest = { type: 'next'; pages: number } | { type: 'abort'; reason: string } | { type: 'close' };
export type ThreadReply =
  | { type: 'page'; page: ConnectorPage }
  | { type: 'done' }
  | { type: 'throttle'; event: ThrottleEvent }
  | { type: 'error'; error: { name: string; message: string; code?: string | undefined; sourceId?: string | undefined; retryAfterMs?: number | undefined } };

if (parentPort) {
  const port = parentPort;
  const { source, env, listing } = workerData as { source: PulledSourceConfig; env: Env; listing: ThreadListing };
  const reply = (message: ThreadReply) => port.postMessage(message);
  const abort = new AbortController();
  const connector = await createConnectorHere(source, { env });
  const options = { signal: abort.signal, onThrottle: (event: ThrottleEvent) => reply({ type: 'throttle', event }) };
  let pages: AsyncIterator<ConnectorPage> | undefined;
  /** Pages the engine has asked for and not yet been sent. */
  let granted = 0;
  let reading = false;
  let finished = false;

  port.on('message', (request: ThreadRequest) => {
    if (request.type === 'abort') abort.abort(new Error(request.reason));
    else if (request.type === 'next') {
      granted += request.pages;
      void read();
    } else void close();
  });

  async function read(): Promise<void> {
    if (reading || finished) return;
    reading = true;
    try {
      pages ??= (listing.mode === 'delta' && connector.delta ? connector.delta({ ...options, cursor: listing.cursor }) : connector.full(options))[Symbol.asyncIterator]();
      while (granted > 0) {
        const result = await pages.next();
        if (result.done) {
          finished = true;
          reply({ type: 'done' });
          return;
        }
        granted--;
        reply({ type: 'page', page: result.value });
      }
    } catch (error) {
      finished = true;
      reply({ type: 'error', error: describe(error) });
    } finally {
      reading = false;
    }
  }

  async function close(): Promise<void> {
    await pages?.return?.(undefined).catch(() => {});
    await connector.close?.().catch(() => {});
    port.close();
  }
}

function describe(error: unknown): Extract<ThreadReply, { type: 'error' }>['error'] {
  if (error instanceof ConnectorError) {
    const retryAfterMs = error instanceof RetryableConnectorError ? error.retryAfterMs : undefined;
    return { name: error.name, message: error.message, code: error.code, sourceId: error.sourceId, retryAfterMs };
  }
  return { name: (error as Error)?.name ?? 'Error', message: (error as Error)?.message ?? String(error) };
}
