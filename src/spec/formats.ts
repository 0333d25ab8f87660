// The formats single fields must have (names, addresses, MACs, hashes), checked by zod together with
// the types so that one run reports every malformed field at once. Cross-field rules live in plan/.
import { z } from 'zod';
import { parseIpv4, parseIpv4Cidr } from './ipv4.js';

const macPattern = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Lower-case colon form, or null when `text` is not a unicast MAC address. */
export function normalizeMac(text: string): string | null {
  const mac = text.trim().toLowerCase().replace(/-/g, ':');
  if (!macPattern.test(mac)) return null;
  const firstOctet = parseInt(mac.slice(0, 2), 16);
  if (firstOctet & 1) return null; // multicast: a NIC cannot own it
  if (mac === '00:00:00:00:00:00') return null;
  return mac;
}

// The name becomes a folder and a libvirt domain name: no separators, no dot-dot, nothing hidden.
const vmNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const hostLabel = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const hostnamePattern = new RegExp(`^(?=.{1,253}$)${hostLabel}(\\.${hostLabel})*$`);
const deviceNamePattern = /^[A-Za-z0-9_.:-]{1,15}$/;
const userNamePattern = /^[a-z_][a-z0-9_.-]{0,31}\$?$/i;
const cryptHashPattern = /^\$(1|2[abxy]|5|6|y|gy|7)\$[^\s:]+$/;

export function isValidHostname(text: string): boolean {
  return hostnamePattern.test(text);
}

function checked(isValid: (value: string) => boolean, describe: (value: string) => string) {
  return z
    .string()
    .min(1)
    .superRefine((value, context) => {
      if (!isValid(value)) context.addIssue({ code: 'custom', message: describe(value) });
    });
}

export const vmNameText = checked(
  (value) => vmNamePattern.test(value) && !value.includes('..'),
  (value) => `"${value}" is not a usable VM name: letters, digits, _ . -, starting with a letter or digit, no "..", at most 64`,
);
export const hostnameText = checked(isValidHostname, (value) => `"${value}" is not a valid hostname (RFC 1123: labels of letters, digits and inner hyphens)`);
export const domainNameText = checked(isValidHostname, (value) => `"${value}" is not a domain name`);
export const ipv4Text = checked((value) => parseIpv4(value) !== null, (value) => `"${value}" is not an IPv4 address`);
export const ipv4CidrText = checked((value) => parseIpv4Cidr(value) !== null, (value) => `"${value}" is not an IPv4 CIDR such as 10.0.0.0/24`);
export const routeTargetText = checked(
  (value) => value === 'default' || parseIpv4Cidr(value) !== null,
  (value) => `"${value}" is not an IPv4 CIDR or "default"`,
);
/** `dhcp`, a CIDR, or (with a pool) a bare address inside the pool's subnet. */
export const nicAddressText = checked(
  (value) => value === 'dhcp' || parseIpv4Cidr(value) !== null || parseIpv4(value) !== null,
  (value) => `"${value}" is not "dhcp" or an IPv4 address in CIDR form such as 192.168.1.10/24`,
);
export const ipRangeText = checked(
  (value) => {
    const [from, to, ...rest] = value.split('-').map((part) => parseIpv4(part.trim()));
    return rest.length === 0 && from != null && to != null && from <= to;
  },
  (value) => `"${value}" is not a range such as 10.0.0.10-10.0.0.200`,
);
export const macText = checked((value) => normalizeMac(value) !== null, (value) => `"${value}" is not a unicast MAC address such as 52:54:00:12:34:56`);
export const deviceNameText = checked((value) => deviceNamePattern.test(value), (value) => `"${value}" is not an interface name (1-15 of A-Z a-z 0-9 _ . : -)`);
export const userNameText = checked((value) => userNamePattern.test(value), (value) => `"${value}" is not a valid user name (letters, digits, _ . -, at most 32)`);
export const cryptHashText = checked((value) => cryptHashPattern.test(value), () => 'expected a crypt(3) hash such as "$6$salt$..." (mkpasswd -m sha-512)');
export const guestPathText = checked((value) => value.startsWith('/'), (value) => `"${value}" must be an absolute path in the guest`);
export const instanceIdText = checked((value) => !/[\s\0]/.test(value), () => 'an instance-id cannot contain spaces or control characters');
/** A password may hold any character but a line break, which would split chpasswd's list, or NUL, where crypt(3) would end it. */
export const passwordText = z.string().superRefine((value, context) => {
  if (/[\r\n]/.test(value)) context.addIssue({ code: 'custom', message: 'a password cannot contain a line break' });
  if (value.includes('\0')) context.addIssue({ code: 'custom', message: 'a password cannot contain a NUL character' });
});
