import { Worker } from 'node:worker_threads';
import { settlesWithin } from '../runtime/settles-within.js';
import type { Env } from '../config/env.js';
import type { Connector, ConnectorPage, ListOptions } from './connector.js';
import type { PulledSourceConfig } from './connectors.js';
import { ConnectorError, RetryableConnectorError, type ConnectorErrorCode } from './errors.js';
import type { ThreadListing, ThreadReply, ThreadRequest } from './connector-thread.js';

// From the TypeScript sources (tests, tsx) the thread needs a loader for .ts: a small bootstrap.
const fromSources = import.meta.url.endsWith('.ts');
const ENTRY = new URL(fromSources ? './connector-thread-from-sources.mjs' : './connector-thread.js', import.meta.url);
const SOURCE_ENTRY = new URL('./connector-thread.ts', import.meta.url).href;

/**
 * A connector that reads the directory on its own thread. Decoding a directory (BER for LDAP) is
 * most of the CPU a full run spends on reading; on its own thread it runs while the sync engine
 * diffs and writes the previous page, instead of taking turns with it on the main thread.
 * Pages cross as structured clones. The thread reads up to `READ_AHEAD` pages ahead of the
 * engine, so neither side waits on the other while the other's work varies from page to page.
 */
const READ_AHEAD = 3;

export function threadedConnector(source: PulledSourceConfig, env: Env): Connector {
  return {
    kind: source.kind,
    full: (options) => listInThread(source, env, { mode: 'full' }, options),
    delta: (options) => listInThread(source, env, { mode: 'delta', cursor: options.cursor }, options),
  };
}

async function* listInThread(source: PulledSourceConfig, env: Env, listing: ThreadListing, options: ListOptions = {}): AsyncGenerator<ConnectorPage> {
  options.signal?.throwIfAborted();
  const worker = new Worker(ENTRY, { workerData: { source, env: { ...env }, listing, entry: SOURCE_ENTRY } });
  const inbox = new Inbox(worker);
  const send = (request: ThreadRequest) => worker.postMessage(request);
  const onAbort = () => send({ type: 'abort', reason: String(options.signal?.reason ?? 'aborted') });
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    send({ type: 'next', pages: READ_AHEAD });
    for (;;) {
      const reply = await inbox.take();
      if (reply.type === 'throttle') {
        options.onThrottle?.(reply.event);
        continue;
      }
      if (reply.type === 'error') throw errorFrom(reply.error);
      if (reply.type === 'done') return;
      yield reply.page;
      // The page taken is replaced by one more to read ahead.
      send({ type: 'next', pages: 1 });
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    // Let the thread close its directory session (LDAP unbind); stop it if it does not in time.
    send({ type: 'close' });
    if (!(await settlesWithin(inbox.closed, 2000))) await worker.terminate();
  }
}

/** The thread's replies in arrival order; a thread that dies becomes an error reply. */
class Inbox {
  readonly #replies: ThreadReply[] = [];
  #waiting: ((reply: ThreadReply) => void) | undefined;
  readonly closed: Promise<boolean>;

  constructor(worker: Worker) {
    worker.on('message', (reply: ThreadReply) => this.#put(reply));
    worker.on('error', (error) => this.#put({ type: 'error', error: { name: error.name, message: `connector thread failed: ${error.message}` } }));
    this.closed = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.#put({ type: 'error', error: { name: 'Error', message: `connector thread exited (code ${code})` } });
        resolve(true);
      });
    });
  }

  take(): Promise<ThreadReply> {
    const next = this.#replies.shift();
    if (next) return Promise.resolve(next);
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  #put(reply: ThreadReply): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) waiting(reply);
    else this.#replies.push(reply);
  }
}

function errorFrom(e: Extract<ThreadReply, { type: 'error' }>['error']): Error {
  if (e.code === 'CONNECTOR_RETRYABLE') return new RetryableConnectorError(e.message, { sourceId: e.sourceId, retryAfterMs: e.retryAfterMs });
  if (e.code !== undefined) return new ConnectorError(e.code as ConnectorErrorCode, e.message, { sourceId: e.sourceId });
  const error = new Error(e.message);
  error.name = e.name;
  return error;
}
