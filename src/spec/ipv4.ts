// IPv4 arithmetic for static addressing and pools, on top of Node's own parsing (net.isIPv4), which
// rejects the malformed forms a hand-written regex lets through, like 010.1.1.1 or 1.2.3.
import { isIPv4 } from 'node:net';

export interface Subnet {
  network: string;
  prefix: number;
  netmask: string;
}

export function parseIpv4(text: string): number | null {
  if (!isIPv4(text)) return null;
  const octets = text.split('.').map(Number);
  return (((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!) >>> 0;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `10.0.0.5/24` → the address and its subnet; null when it is not an IPv4 CIDR. */
export function parseIpv4Cidr(text: string): { address: number; subnet: Subnet } | null {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!match) return null;
  const address = parseIpv4(match[1]!);
  const prefix = Number(match[2]);
  if (address === null || prefix > 32) return null;
  const mask = maskOf(prefix);
  return {
    address,
    subnet: { network: formatIpv4((address & mask) >>> 0), prefix, netmask: formatIpv4(mask) },
  };
}

export function subnetContains(subnet: Subnet, address: number): boolean {
  const mask = maskOf(subnet.prefix);
  return ((address & mask) >>> 0) === parseIpv4(subnet.network);
}

/** The host addresses of a subnet: without network and broadcast, except for /31 and /32. */
export function hostRange(subnet: Subnet): { first: number; last: number } {
  const network = parseIpv4(subnet.network)!;
  const size = 2 ** (32 - subnet.prefix);
  if (subnet.prefix >= 31) return { first: network, last: network + size - 1 };
  return { first: network + 1, last: network + size - 2 };
}
