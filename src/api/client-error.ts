/**
 * The answer to a request that Node's HTTP parser refused before any route saw it: headers too
 * large (431), a request line or header it cannot parse (400), a client too slow to send its
 * request (408). Node's default answer has no body; here it has the body the path's API promises
 * — a SCIM error (RFC 7644 §3.12) under `/scim`, the admin API's `{"error":{code,message}}`
 * elsewhere — so a client sees the same kind of error whatever layer refused it.
 */
import type { Socket } from 'node:net';
import { SCIM_CONTENT_TYPE } from '../scim/http/content-type.js';
import { SCIM_ERROR_SCHEMA } from '../scim/schema-urns.js';

const REFUSALS: Record<string, { status: number; reason: string; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', code: 'headers_too_large', message: 'The request headers are larger than the server accepts' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', code: 'request_timeout', message: 'The request was not received in time' },
};
const BAD_REQUEST = { status: 400, reason: 'Bad Request', code: 'bad_request', message: 'The request is not valid HTTP' };

/** For `server.on('clientError', answerClientError)`. */
export function answerClientError(error: Error & { code?: string; rawPacket?: Buffer }, socket: Socket): void {
  // A connection reset or already answered: nothing to say, and nobody to say it to.
  if (error.code === 'ECONNRESET' || !socket.writable || (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy(error);
    return;
  }
  const refusal = REFUSALS[error.code ?? ''] ?? BAD_REQUEST;
  const requestLine = error.rawPacket?.subarray(0, 200).toString('latin1') ?? '';
  const scim = /^[A-Za-z]+ \/scim(\/|\?|$| )/.test(requestLine);
  const body = JSON.stringify(
    scim ? { schemas: [SCIM_ERROR_SCHEMA], status: String(refusal.status), detail: refusal.message } : { error: { code: refusal.code, message: refusal.message } },
  );
  const type = scim ? SCIM_CONTENT_TYPE : 'application/json; charset=utf-8';
  socket.end(`HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nConnection: close\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
