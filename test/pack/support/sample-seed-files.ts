// Seed files for the pack tests. The texts carry what a careless copy would mangle: non-ASCII UTF-8,
// a CRLF line end, a trailing space and no final newline.
import type { SeedFile } from '../../../src/pack/seed-file.js';

const encoder = new TextEncoder();

export function seedFile(path: string, text: string, mode = 0o644): SeedFile {
  return { path, bytes: encoder.encode(text), mode };
}

/** user-data (secret, 0600), meta-data and network-config, as the render stage would hand them over. */
export function sampleSeedFiles(): SeedFile[] {
  return [
    seedFile('user-data', '#cloud-config\nhostname: café-01\r\nusers:\n  - name: ops \npassword: "$6$s$h"', 0o600),
    seedFile('meta-data', 'instance-id: vm-01\nlocal-hostname: café-01\n'),
    seedFile('network-config', 'version: 2\nethernets:\n  eth0:\n    dhcp4: true\n'),
  ];
}

/** A user-data of exactly `size` bytes of printable text, different for each seed. */
export function largeUserData(size: number, seed = 1): SeedFile {
  const bytes = new Uint8Array(size);
  const header = encoder.encode('#cloud-config\n# ');
  bytes.set(header.subarray(0, size));
  let state = seed >>> 0;
  for (let index = header.length; index < size; index += 1) {
    // A linear congruential generator: varied bytes (nothing compresses away) without a random source.
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[index] = index % 80 === 79 ? 0x0a : 0x20 + (state >>> 24) % 95;
  }
  return { path: 'user-data', bytes, mode: 0o600 };
}

/** `size` bytes that differ for each seed and never repeat with a short period (a linear congruential generator). */
export function patternBytes(size: number, seed = 1): Uint8Array {
  // Whole 32-bit words at a time: the property tests make hundreds of megabytes of these.
  const words = new Uint32Array(Math.ceil(size / 4));
  let state = Math.imul(seed, 2654435761) >>> 0;
  for (let index = 0; index < words.length; index += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    words[index] = state ^ (state >>> 16);
  }
  return new Uint8Array(words.buffer, 0, size);
}
