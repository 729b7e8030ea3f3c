/**
 * One HTTP/1.1 exchange over a raw socket, for fuzzing what `fetch` and `node:http` refuse to send:
 * repeated `Authorization` headers, paths with invalid percent-encodings, bodies that disagree
 * with their headers, and chunked bodies that never end.
 */
import { connect } from 'node:net';

export interface RawRequest {
  method: string;
  /** Sent as is on the request line (it may hold anything a URL should not). */
  path: string;
  /** In order; a name may repeat. `host`, `connection` and `content-length` are added unless given. */
  headers: Array<[string, string]>;
  body?: Buffer | string;
  /** Send the body as one chunk of a chunked body and never send the last chunk. */
  neverEnd?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

/** Sends `request`; resolves with the response, or with `'timeout'` when none came within `timeoutMs`. */
export function rawRequest(url: string, request: RawRequest, timeoutMs: number): Promise<RawResponse | 'timeout'> {
  const { hostname, port } = new URL(url);
  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  const names = new Set(request.headers.map(([name]) => name.toLowerCase()));
  const headers = [...request.headers];
  if (!names.has('host')) headers.unshift(['host', `${hostname}:${port}`]);
  if (!names.has('connection')) headers.push(['connection', 'close']);
  if (request.neverEnd) headers.push(['transfer-encoding', 'chunked']);
  else if (body !== undefined && !names.has('content-length') && !names.has('transfer-encoding')) headers.push(['content-length', String(body.length)]);
  const head = Buffer.from(`${request.method} ${request.path} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`, 'latin1');
  const payload = request.neverEnd ? Buffer.concat([Buffer.from(`${(body?.length ?? 1).toString(16)}\r\n`), body ?? Buffer.from('{'), Buffer.from('\r\n')]) : body;

  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('timeout');
    }, timeoutMs);
    socket.on('connect', () => {
      socket.write(head);
      if (payload !== undefined) socket.write(payload);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const parsed = parseResponse(Buffer.concat(chunks), request.method === 'HEAD');
      if (parsed) {
        clearTimeout(timer);
        socket.destroy();
        resolve(parsed);
      }
    });
    // The server may close as soon as it has answered, before it read what we still send.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') return;
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const parsed = parseResponse(Buffer.concat(chunks), request.method === 'HEAD', true);
      if (parsed) resolve(parsed);
      else reject(new Error(`the connection closed without a complete response (${Buffer.concat(chunks).length} bytes)`));
    });
  });
}

/** A complete response from `data` (interim 1xx responses skipped), or undefined while more is needed. */
function parseResponse(data: Buffer, head: boolean, closed = false): RawResponse | undefined {
  while (/^HTTP\/1\.[01] 1\d\d /.test(data.subarray(0, 13).toString('latin1'))) {
    const interim = data.indexOf('\r\n\r\n');
    if (interim < 0) return undefined;
    data = data.subarray(interim + 4);
  }
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const rest = data.subarray(end + 4);
  if (head || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
  const length = headers.get('content-length');
  if (length !== undefined) return rest.length >= Number(length) ? { status, headers, body: rest.subarray(0, Number(length)) } : undefined;
  if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
    const body = dechunk(rest);
    return body === undefined ? undefined : { status, headers, body };
  }
  return closed ? { status, headers, body: rest } : undefined;
}

function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return Buffer.concat(parts);
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
