/**
 * A TCP relay in front of slapd that can fail the n-th search request the way a real server or
 * network does: answer it `busy` (LDAP result 51, what a loaded server or an AD DC under its
 * MaxActiveQueries answers), or drop the connection. Everything else passes through untouched.
 * A paged listing sends one search request per page, so "after n searches" is "after n pages".
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type LdapFault = 'busy' | 'reset';

export interface LdapFaultProxy {
  url: string;
  /** The search requests after the next `after` get `fault` (`times` of them; default all). */
  inject(rule: { fault: LdapFault; after: number; times?: number }): void;
  clearFaults(): void;
  close(): Promise<void>;
}

const SEARCH_REQUEST = 0x63; // [APPLICATION 3], constructed
const SEARCH_RESULT_DONE = 0x65; // [APPLICATION 5], constructed
const BUSY = 51;

export async function startLdapFaultProxy(target: { host: string; port: number }): Promise<LdapFaultProxy> {
  let rule: { fault: LdapFault; after: number; times: number; seen: number; applied: number } | undefined;
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.once('close', () => sockets.delete(client) && upstream.end());
    upstream.once('close', () => sockets.delete(upstream) && client.end());
    client.on('error', drop);
    upstream.on('error', drop);
    upstream.on('data', (chunk: Buffer) => client.write(chunk));

    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const message = nextMessage(pending);
        if (!message) return;
        pending = pending.subarray(message.length);
        const bytes = message.bytes;
        if (message.op === SEARCH_REQUEST && rule && rule.seen++ >= rule.after && rule.applied < rule.times) {
          rule.applied++;
          if (rule.fault === 'reset') {
            client.resetAndDestroy();
            upstream.destroy();
            return;
          }
          client.write(searchResultDone(message.id, BUSY, 'server busy (injected by the conformance suite)'));
          continue;
        }
        upstream.write(bytes);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ldap://127.0.0.1:${port}/`,
    inject: (r) => {
      rule = { ...r, times: r.times ?? Infinity, seen: 0, applied: 0 };
    },
    clearFaults: () => {
      rule = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One whole LDAPMessage at the start of `buffer` (BER: SEQUENCE { messageID INTEGER, protocolOp … }), or none yet. */
function nextMessage(buffer: Buffer): { length: number; id: Buffer; op: number; bytes: Buffer } | undefined {
  const outer = readLength(buffer, 1);
  if (!outer) return undefined;
  const length = outer.start + outer.length;
  if (buffer.length < length) return undefined;
  const idLength = readLength(buffer, outer.start + 1);
  if (!idLength) return undefined;
  const id = buffer.subarray(idLength.start, idLength.start + idLength.length);
  const op = buffer[idLength.start + idLength.length] ?? 0;
  return { length, id, op, bytes: buffer.subarray(0, length) };
}

/** The BER length at `at` (short or long form): the content's start and length. */
function readLength(buffer: Buffer, at: number): { start: number; length: number } | undefined {
  const first = buffer[at];
  if (first === undefined) return undefined;
  if (first < 0x80) return { start: at + 1, length: first };
  const n = first & 0x7f;
  if (buffer.length < at + 1 + n) return undefined;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + (buffer[at + 1 + i] as number);
  return { start: at + 1 + n, length };
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

/** SearchResultDone (RFC 4511 §4.5.2) with `resultCode` for message `id`. */
function searchResultDone(id: Buffer, resultCode: number, diagnostic: string): Buffer {
  const result = Buffer.concat([tlv(0x0a, Buffer.from([resultCode])), tlv(0x04, Buffer.alloc(0)), tlv(0x04, Buffer.from(diagnostic))]);
  return tlv(0x30, Buffer.concat([tlv(0x02, id), tlv(SEARCH_RESULT_DONE, result)]));
}
