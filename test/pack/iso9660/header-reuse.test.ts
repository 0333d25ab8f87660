// writeIso9660 reuses the header (everything before the file data) of a recent image whose files had
// the same names, modes and sizes. An image made that way must equal one written from scratch, for any
// file set, whatever the files hold and whichever came first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeIso9660 } from '../../../src/formats/iso9660/index.js';
import { writeIso9660Afresh, type Iso9660Options } from '../../../src/formats/iso9660/writer/write-iso9660.js';
import type { SeedFile } from '../../../src/pack/seed-file.js';
import { randomSeed, toSeedFiles } from './random-seeds.js';

describe('ISO header reuse', () => {
  it('gives the bytes of a fresh write for files of the same shape but other contents', () => {
    let reused = 0;
    fc.assert(fc.property(randomSeed, fc.integer({ min: 1, max: 0x7fff_ffff }), fc.constantFrom('cidata', 'CIDATA', 'seed'), (seed, reseed, label) => {
      const options = { label, timestamp: seed.timestamp };
      const first = toSeedFiles(seed);
      // The same names, modes and sizes; other bytes.
      const second = toSeedFiles({ ...seed, files: seed.files.map((file) => ({ ...file, seed: (file.seed ^ reseed) || 1 })) });
      const firstImage = writeIso9660(first, options);
      const secondImage = writeIso9660(second, options);
      if (second.some((file) => file.bytes.length > 0)) reused += 1;
      expect(Buffer.from(firstImage).equals(writeIso9660Afresh(first, options))).toBe(true);
      expect(Buffer.from(secondImage).equals(writeIso9660Afresh(second, options))).toBe(true);
    }), { numRuns: 300 });
    expect(reused).toBeGreaterThan(100);
  });

  it('does not reuse a header across labels, times, modes, sizes or names', () => {
    const files = [{ path: 'user-data', bytes: new TextEncoder().encode('#cloud-config\n'), mode: 0o600 }];
    const base = writeIso9660(files, { label: 'cidata', timestamp: 0 });
    const variants: [SeedFile[], Iso9660Options][] = [
      [files, { label: 'CIDATA', timestamp: 0 }],
      [files, { label: 'cidata', timestamp: 1 }],
      [[{ ...files[0]!, mode: 0o644 }], { label: 'cidata', timestamp: 0 }],
      [[{ ...files[0]!, bytes: new TextEncoder().encode('#cloud-config\n\n') }], { label: 'cidata', timestamp: 0 }],
      [[{ ...files[0]!, path: 'user-datb' }], { label: 'cidata', timestamp: 0 }],
    ];
    for (const [variantFiles, options] of variants) {
      const image = Buffer.from(writeIso9660(variantFiles, options));
      expect(image.equals(base)).toBe(false);
      expect(image.equals(writeIso9660Afresh(variantFiles, options))).toBe(true);
    }
  });
});
