// Seed files for the FAT tests: the usual three, and files of any size with varied, reproducible bytes.
import type { SeedFile } from '../../../../src/pack/seed-file.js';

// The same text-to-SeedFile helper the other pack tests use.
import { seedFile as textFile } from '../../support/sample-seed-files.js';

export { textFile };

/** user-data (0600, with non-ASCII, CRLF and no final newline), meta-data and network-config. */
export function threeSeedFiles(): SeedFile[] {
  return [
    textFile('user-data', '#cloud-config\nhostname: café-01\r\nusers:\n  - name: ops \npassword: "$6$salt$hash"', 0o600),
    textFile('meta-data', 'instance-id: vm-01\nlocal-hostname: café-01\n'),
    textFile('network-config', 'version: 2\nethernets:\n  eth0:\n    dhcp4: true\n'),
  ];
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

export function sizedFile(path: string, size: number, seed = 1): SeedFile {
  return { path, bytes: patternBytes(size, seed), mode: 0o644 };
}
