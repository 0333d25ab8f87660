// IPv4 parsing for addresses, gateways and pools: Node's net.isIPv4 decides what is an address, so the
// forms a loose parser would take (leading zeros, which some read as octal; short forms; hex) are refused.
import { describe, expect, it } from 'vitest';
import { formatIpv4, parseIpv4, parseIpv4Cidr } from '../../src/spec/ipv4.js';

describe('parseIpv4', () => {
  it.each(['010.1.1.1', '1.2.3', '1.2.3.4.5', '256.1.1.1', '0x1.2.3.4', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.-4', '1..3.4', '', '::1'])('refuses %j', (text) => {
    expect(parseIpv4(text)).toBeNull();
  });

  it.each([['0.0.0.0', 0], ['10.0.0.1', 0x0a000001], ['192.168.122.1', 0xc0a87a01], ['255.255.255.255', 0xffffffff]])('reads %s', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
    expect(formatIpv4(value)).toBe(text);
  });

  it('reads a CIDR into its subnet', () => {
    expect(parseIpv4Cidr('10.0.0.5/24')).toEqual({ address: 0x0a000005, subnet: { network: '10.0.0.0', prefix: 24, netmask: '255.255.255.0' } });
    expect(parseIpv4Cidr('10.0.0.5/33')).toBeNull();
  });
});
