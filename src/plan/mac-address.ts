// MAC addresses are decided once, here: given ones are normalised, missing ones are derived from the
// fleet and VM names so the same spec always gives the same MACs and rebuilding a VM keeps its NIC.
import { createHash } from 'node:crypto';

export type MacPrefix = 'qemu' | 'local';

function hex(bytes: Uint8Array): string[] {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0'));
}

/**
 * The `attempt`-th candidate MAC for a NIC. QEMU's 52:54:00 prefix leaves 24 bits, where a fleet of a
 * thousand has a few-percent chance of a collision, so the caller retries with the next attempt.
 */
export function deriveMac(seed: string, prefix: MacPrefix, attempt: number): string {
  const digest = createHash('sha256').update(`${seed}#${attempt}`).digest();
  if (prefix === 'qemu') return ['52', '54', '00', ...hex(digest.subarray(0, 3))].join(':');
  // Locally administered (bit 1 set), unicast (bit 0 clear).
  const first = ((digest[0]! | 0x02) & 0xfe) & 0xff;
  return hex(Uint8Array.from([first, ...digest.subarray(1, 6)])).join(':');
}

/**
 * The part of a MAC that names its macvtap device in qemu.sh (`mvt` + these bytes, see
 * render/qemu-command.ts macvtapName): the last three bytes, so the name fits IFNAMSIZ.
 */
export function macvtapTail(macAddress: string): string {
  return macAddress.split(':').slice(3).join(':');
}

/**
 * Whether `macAddress` has the form `deriveMac` gives for `prefix`, so that a lock never keeps MACs of
 * the prefix a spec has just left. 52:54:00 is itself locally administered, hence its own test.
 */
export function hasMacPrefix(macAddress: string, prefix: MacPrefix): boolean {
  const qemu = macAddress.startsWith('52:54:00:');
  if (prefix === 'qemu') return qemu;
  return !qemu && (parseInt(macAddress.slice(0, 2), 16) & 0b11) === 0b10;
}
