// fast-check arbitraries for random seed volumes: names of every shape the writer accepts (upper and
// lower case, dots, dashes, underscores, punctuation, up to 64 characters, many that shorten to the same
// 8.3 name), sizes around sector boundaries with a few megabyte files, and the bytes made from a seed.
import fc from 'fast-check';
import type { SeedFile } from '../../../src/pack/seed-file.js';

export interface RandomFile {
  name: string;
  size: number;
  seed: number;
  mode: number;
}

export interface RandomSeed {
  files: RandomFile[];
  timestamp: number;
}

const alphanumerics = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
const nameCharacter = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...alphanumerics) },
  { weight: 4, arbitrary: fc.constantFrom('.', '-', '_') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(' ', '+', '~', '@', '#', '!', '(', ')', '[', ']', '=', ',', "'", '$', '%', '&'),
  },
);
// Prefixes longer than eight characters, so names built on them collide after 8.3 shortening.
const seedLikePrefix = fc.constantFrom(
  'user-data',
  'meta-data',
  'network-config',
  'vendor-data',
  'USER-DATA',
  'User_Data',
  'user.data',
  '.hidden',
  'config.yaml',
  'network.config.d',
  'a',
  'A',
);

/** Trailing dots are refused (Joliet readers drop them) and the listing parsers need no edge spaces. */
function isAllowedName(name: string): boolean {
  return name.length > 0 && name.length <= 64 && !name.endsWith('.');
}

export const randomName = fc
  .oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(seedLikePrefix, fc.string({ unit: nameCharacter, maxLength: 12 }))
        .map(([prefix, rest]) => prefix + rest),
    },
    { weight: 3, arbitrary: fc.string({ unit: nameCharacter, minLength: 1, maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ unit: nameCharacter, minLength: 50, maxLength: 64 }) },
  )
  .map((name) => name.trim())
  .filter(isAllowedName);

const mebibyte = 1 << 20;
export const randomSize = fc.oneof(
  { weight: 60, arbitrary: fc.integer({ min: 0, max: 3000 }) },
  { weight: 20, arbitrary: fc.constantFrom(0, 1, 2047, 2048, 2049, 4095, 4096, 4097, 3 * 2048) },
  { weight: 6, arbitrary: fc.integer({ min: 3001, max: 70_000 }) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.integer({ min: mebibyte, max: 4 * mebibyte }),
      fc.constantFrom(mebibyte - 1, mebibyte, mebibyte + 1, 2 * mebibyte),
    ),
  },
);

const randomFile = fc.record({
  name: randomName,
  size: randomSize,
  seed: fc.integer({ min: 1, max: 0x7fff_ffff }),
  mode: fc.constantFrom(0o600, 0o644, 0o640, 0o400, 0o444, 0o755, 0o700, 0o777, 0o000),
});

/** Mostly seed-sized volumes (up to five files), sometimes up to thirty. */
const fileCount = fc.oneof(
  { weight: 14, arbitrary: fc.integer({ min: 0, max: 5 }) },
  { weight: 3, arbitrary: fc.integer({ min: 6, max: 12 }) },
  { weight: 1, arbitrary: fc.integer({ min: 13, max: 30 }) },
);

export const randomSeed: fc.Arbitrary<RandomSeed> = fc.record({
  files: fileCount.chain((count) =>
    fc.uniqueArray(randomFile, { selector: (file) => file.name, minLength: count, maxLength: count }),
  ),
  timestamp: fc.integer({ min: 0, max: 4_102_444_800 }),
});

/** The file's bytes: xorshift32 from its seed, so a megabyte file costs no arbitrary shrinking. */
export function contentOf(file: RandomFile): Uint8Array {
  const bytes = new Uint8Array(file.size);
  let state = file.seed | 1;
  for (let index = 0; index < bytes.length; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

export function toSeedFiles(seed: RandomSeed): SeedFile[] {
  return seed.files.map((file) => ({ path: file.name, bytes: contentOf(file), mode: file.mode }));
}
