import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fake's route answers. `body` is serialised as JSON unless it is a string. */
export interface FakeResponse {
  status: number;
  headers?: Record<string, string> | undefined;
  body?: unknown;
}

export interface FakeRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  /** The raw request body (token endpoints are form-encoded). */
  body: string;
}

/** A fault applied to requests whose path matches, after letting `after` of them through. */
export interface FaultRule {
  /** Matches the request path; default: every request that is not a token request. */
  path?: RegExp | undefined;
  /** Matching requests let through before the fault starts. Default 0. */
  after?: number | undefined;
  /** How many matching requests get the fault. Default 1; `Infinity` for a persistent failure. */
  times?: number | undefined;
  /** Answer with this instead of the real response… */
  respond?: ((request: FakeRequest) => FakeResponse) | undefined;
  /** …or delay the real response by this long… */
  delayMs?: number | undefined;
  /** …or drop the connection (the client sees ECONNRESET / "other side closed"). */
  reset?: boolean | undefined;
}

export interface FakeCounters {
  /** API requests (token requests excluded). */
  requests: number;
  tokenRequests: number;
  /** Requests answered by an injected fault. */
  faults: number;
  /** API requests by path. */
  byPath: Map<string, number>;
}

export interface HttpFake {
  url: string;
  counters: FakeCounters;
  inject(rule: FaultRule): void;
  clearFaults(): void;
  close(): Promise<void>;
}

interface ActiveRule extends FaultRule {
  seen: number;
  applied: number;
}

/**
 * A node:http server on 127.0.0.1, port 0, that routes every request to `handle`, with fault
 * injection and counters shared by the Graph, Okta and Google fakes.
 */
export async function startHttpFake(options: {
  handle: (request: FakeRequest, baseUrl: string) => FakeResponse | Promise<FakeResponse>;
  /** Token endpoints are counted apart and never faulted by a rule without an explicit `path`. */
  isTokenRequest: (path: string) => boolean;
}): Promise<HttpFake> {
  const rules: ActiveRule[] = [];
  const counters: FakeCounters = { requests: 0, tokenRequests: 0, faults: 0, byPath: new Map() };
  let baseUrl = '';

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void serve(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    const request: FakeRequest = { method: req.method ?? 'GET', url, headers: req.headers, body };
    const token = options.isTokenRequest(url.pathname);
    if (token) counters.tokenRequests++;
    else {
      counters.requests++;
      counters.byPath.set(url.pathname, (counters.byPath.get(url.pathname) ?? 0) + 1);
    }
    let delayMs = 0;
    for (const rule of rules) {
      const matches = rule.path ? rule.path.test(url.pathname) : !token;
      if (!matches) continue;
      rule.seen++;
      if (rule.seen <= (rule.after ?? 0) || rule.applied >= (rule.times ?? 1)) continue;
      rule.applied++;
      counters.faults++;
      if (rule.reset) {
        req.socket.destroy();
        return;
      }
      if (rule.respond) {
        send(res, rule.respond(request));
        return;
      }
      delayMs += rule.delayMs ?? 0;
    }
    try {
      const response = await options.handle(request, baseUrl);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      send(res, response);
    } catch (error) {
      send(res, { status: 500, body: { error: String(error) } });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    counters,
    inject: (rule) => rules.push({ ...rule, seen: 0, applied: 0 }),
    clearFaults: () => {
      rules.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, response: FakeResponse): void {
  if (res.destroyed) return;
  const text = typeof response.body === 'string' ? response.body : response.body === undefined ? '' : JSON.stringify(response.body);
  const headers: Record<string, string> = { date: new Date().toUTCString(), ...response.headers };
  if (typeof response.body !== 'string' && response.body !== undefined && !hasHeader(headers, 'content-type')) {
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  res.writeHead(response.status, headers);
  res.end(text);
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/** `application/x-www-form-urlencoded` body → map. */
export function parseForm(body: string): URLSearchParams {
  return new URLSearchParams(body);
}

/** Opaque, URL-safe page / delta tokens carrying the fake's own state. */
export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeToken(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
