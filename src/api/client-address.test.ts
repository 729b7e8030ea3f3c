import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress } from './client-address.js';

const request = (peer: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('is the TCP peer without trustProxy, whatever X-Forwarded-For says', () => {
    expect(clientAddress(request('192.0.2.7', '198.51.100.1'), { trustProxy: false })).toBe('192.0.2.7');
    expect(clientAddress(request('::ffff:192.0.2.7', '198.51.100.1'), { trustProxy: false })).toBe('192.0.2.7');
  });

  it("with trustProxy, is the last X-Forwarded-For entry (the proxy's), not one the client wrote before it", () => {
    expect(clientAddress(request('10.0.0.1', '198.51.100.1'), { trustProxy: true })).toBe('198.51.100.1');
    expect(clientAddress(request('10.0.0.1', '203.0.113.99, 6.6.6.6 ,198.51.100.1'), { trustProxy: true })).toBe('198.51.100.1');
  });

  it('with trustProxy, falls back to the peer when the header is missing or its last entry is no address', () => {
    expect(clientAddress(request('10.0.0.1'), { trustProxy: true })).toBe('10.0.0.1');
    expect(clientAddress(request('10.0.0.1', '198.51.100.1, not-an-ip'), { trustProxy: true })).toBe('10.0.0.1');
    expect(clientAddress(request('10.0.0.1', ''), { trustProxy: true })).toBe('10.0.0.1');
  });
});

describe('addressKey', () => {
  it('counts an IPv6 client by its /64, however the address is written', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('keeps IPv4 addresses whole, also IPv4-mapped ones', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::FFFF:192.0.2.7')).toBe('192.0.2.7');
  });
});
