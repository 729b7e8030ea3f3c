/**
 * The address a request comes from, as the authentication-failure limit counts it (design §4,
 * `http.trustProxy`).
 *
 * Without `trustProxy` it is the TCP peer, whatever `X-Forwarded-For` says: any client can send
 * that header. With `trustProxy: true` idsync sits behind exactly one proxy, and the address is the
 * last entry of `X-Forwarded-For` — the one that proxy appended. Earlier entries came from the
 * client and could be anything, so taking the first (as express's `trust proxy` does) would let a
 * client pick a fresh address for every attempt.
 *
 * An IPv6 client is counted by its /64: one host commonly holds a whole /64, and counting single
 * addresses would give it 2^64 fresh ones.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export function clientAddress(req: IncomingMessage, options: { trustProxy: boolean }): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (options.trustProxy) {
    // Node joins repeated X-Forwarded-For headers with ", ", so the last entry is the proxy's in either form.
    const forwarded = req.headers['x-forwarded-for'];
    const last = typeof forwarded === 'string' ? forwarded.slice(forwarded.lastIndexOf(',') + 1).trim() : '';
    if (isIP(last) !== 0) return addressKey(last);
  }
  return addressKey(peer);
}

/** An IPv4 address as is (also when IPv4-mapped, `::ffff:192.0.2.1`), an IPv6 address as its /64. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (isIP(address) !== 6) return address;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, lower-case hex without leading zeros. */
function expandIpv6(address: string): string[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  // A dotted IPv4 tail (`64:ff9b::192.0.2.1`) is the last two groups.
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16).toString(16));
}
