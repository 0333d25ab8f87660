import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { vfatImageKibibytes } from '../../src/pack/vfat-image-size.js';

// The real proof is mtools-packer.test.ts, where mkfs.vfat and mcopy take images of this size; these
// pin down the arithmetic so a change to it shows here first.
describe('vfatImageKibibytes', () => {
  it('gives a seed of three small files 77 KiB, well above the 33 KiB mkfs.vfat needs at least', () => {
    // 64 KiB fixed, one 4 KiB cluster allowance per file, and the FAT allowance rounded up to a KiB.
    expect(vfatImageKibibytes([120, 40, 60])).toBe(64 + 3 * 4 + 1);
  });

  it('grows with every started 4 KiB of a file', () => {
    expect(vfatImageKibibytes([4096])).toBe(vfatImageKibibytes([1]));
    expect(vfatImageKibibytes([4097])).toBeGreaterThan(vfatImageKibibytes([4096]));
  });

  it('always leaves more room than the files take', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 50_000_000 }), { maxLength: 20 }), (sizes) => {
        const total = sizes.reduce((sum, size) => sum + size, 0);
        expect(vfatImageKibibytes(sizes) * 1024).toBeGreaterThanOrEqual(total + 64 * 1024);
      }),
    );
  });
});
