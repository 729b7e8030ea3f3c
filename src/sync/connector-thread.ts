/**
 * The thread a `threadedConnector` lists the directory on. It answers each `next` with one page
 * (or `done`, or the error), passes throttling events on, and closes the connector on `close`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Env } from '../config/env.js';
import type { ConnectorPage, ThrottleEvent } from './connector.js';
import { createConnectorHere, type PulledSourceConfig } from './connectors.js';
import { ConnectorError, RetryableConnectorError } from './errors.js';

export type ThreadListing = { mode: 'full' } | { mode: 'delta'; cursor: string };
export type ThreadRequest = { type: 'next' } | { type: 'abort'; reason: string } | { type: 'close' };
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

  port.on('message', (request: ThreadRequest) => {
    if (request.type === 'abort') abort.abort(new Error(request.reason));
    else if (request.type === 'next') void next();
    else void close();
  });

  async function next(): Promise<void> {
    try {
      if (!pages) {
        const listed = listing.mode === 'delta' && connector.delta ? connector.delta({ ...options, cursor: listing.cursor }) : connector.full(options);
        pages = listed[Symbol.asyncIterator]();
      }
      const result = await pages.next();
      reply(result.done ? { type: 'done' } : { type: 'page', page: result.value });
    } catch (error) {
      reply({ type: 'error', error: describe(error) });
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
