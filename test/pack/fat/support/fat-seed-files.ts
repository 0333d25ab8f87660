// Seed files for the FAT tests: the usual three, and files of any size with varied, reproducible bytes.
import type { SeedFile } from '../../../../src/pack/seed-file.js';

// The text-to-SeedFile helper, the usual three files and the byte patterns the other pack tests use.
import { patternBytes, sampleSeedFiles, seedFile as textFile } from '../../support/sample-seed-files.js';

export { patternBytes, textFile };

/** user-data (0600, with non-ASCII, CRLF and no final newline), meta-data and network-config. */
export const threeSeedFiles = sampleSeedFiles;

export function sizedFile(path: string, size: number, seed = 1): SeedFile {
  return { path, bytes: patternBytes(size, seed), mode: 0o644 };
}
