import { createServer, type RequestListener, type Server } from 'node:http';
import { IdsyncError } from '../errors.js';
import { answerClientError } from './client-error.js';

/** The HTTP port could not be bound; the message is one line naming `HOST:PORT` and why. */
export class ListenError extends IdsyncError<'listen_failed'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('listen_failed', message, options);
  }
}

const REASONS: Record<string, string> = {
  EADDRINUSE: 'the address is already in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'no such address on this machine',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
};

/**
 * How long a client may take to send a request, and how large its headers may be. Explicit, so
 * that a slow client (headers or a body sent a byte at a time) cannot hold a connection for long,
 * whatever Node's defaults become. Node checks these timeouts every `checkIntervalMs`; its default
 * interval (30 s) would let a slow client stay up to that much longer.
 * https://nodejs.org/api/http.html#httpcreateserveroptions-requestlistener
 */
export interface HttpLimits {
  /** Time to receive a request's headers, from the first byte. Default 20 000 ms. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (not to answer it). Default 60 000 ms. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. Default 5 000 ms. */
  keepAliveTimeoutMs: number;
  /** How often the timeouts above are checked. Default 1 000 ms. */
  checkIntervalMs: number;
  /** Largest request line and headers together; larger is answered 431. Default 16 KiB. */
  maxHeaderBytes: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
  maxHeaderBytes: 16 * 1024,
};

/**
 * Serves `handler` on `host:port`, resolving once the port is bound. Express 5's `app.listen`
 * calls its callback on an error too, with no server address to read; here a failure is a
 * `ListenError` instead.
 */
export function listen(handler: RequestListener, options: { host: string; port: number; limits?: Partial<HttpLimits> | undefined }): Promise<Server> {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
      maxHeaderSize: limits.maxHeaderBytes,
    },
    handler,
  );
  server.on('clientError', answerClientError);
  return new Promise((resolve, reject) => {
    const onError = (error: Error & { code?: string }) => {
      const code = error.code ?? error.name;
      const reason = REASONS[code];
      const where = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
      reject(new ListenError(`cannot listen on HOST:PORT=${where}: ${code}${reason ? ` (${reason})` : ''}`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => resolve(server));
  });
}
