import { createServer, type RequestListener, type Server } from 'node:http';
import { answerClientError } from './client-error.js';

/** The HTTP port could not be bound; the message is one line naming `HOST:PORT` and why. */
export class ListenError extends Error {
  readonly code = 'LISTEN_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ListenError';
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
 * Serves `handler` on `host:port`, resolving once the port is bound. Express 5's `app.listen`
 * calls its callback on an error too, with no server address to read; here a failure is a
 * `ListenError` instead.
 */
export function listen(handler: RequestListener, options: { host: string; port: number }): Promise<Server> {
  const server = createServer(handler);
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
