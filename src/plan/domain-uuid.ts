// A domain's UUID is its identity to libvirt: redefining a domain under another UUID is refused ("already
// exists with uuid ..."). Deriving it from the fleet and VM names keeps it across builds and machines,
// the way RFC 9562's name-based UUIDs do (version 8: SHA-256 rather than version 5's SHA-1).
import { createHash } from 'node:crypto';

export function domainUuid(fleet: string, vm: string): string {
  const bytes = createHash('sha256').update(`cloudseed domain\0${fleet}\0${vm}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
