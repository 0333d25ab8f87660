import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { mtoolsPacker, vfatVolumeId } from '../../src/pack/mtools-packer.js';
import { missingTools } from '../support/tools.js';
import { expectSameBytes, expectVfatHolds, vfatLabel, withImageFile } from './support/image-readers.js';
import { describePackerFailures, packOptions } from './support/packer-failures.js';
import { largeUserData, sampleSeedFiles } from './support/sample-seed-files.js';

const vfat = packOptions({ filesystem: 'vfat' });

const toolsMissing = missingTools('mkfs.vfat', 'mcopy', 'mlabel', 'mdir', 'fsck.vfat').length > 0;

describe.skipIf(toolsMissing)('mtoolsPacker', () => {
  it('writes a vfat volume labelled cidata, as cloud-localds (mkfs.vfat -n cidata) labels it, that holds every file byte for byte', async () => {
    const files = sampleSeedFiles();
    const image = await mtoolsPacker.pack(files, vfat);
    await expectVfatHolds(image, files);
    expect(await withImageFile(image, vfatLabel)).toBe('cidata');
  });

  it('holds a 1 MB user-data, which cloud-localds cannot', async () => {
    const files = [largeUserData(1_000_000), ...sampleSeedFiles().slice(1)];
    await expectVfatHolds(await mtoolsPacker.pack(files, vfat), files);
  });

  it('leaves room for the FATs themselves when the data outgrows the fixed overhead (32 MiB)', async () => {
    // Whole clusters only, so no rounding slack hides a missing allowance for the FATs.
    const files = [0, 1, 2, 3].map((index) => ({ ...largeUserData(8 * 1024 * 1024, index), path: `part-${index}` }));
    await expectVfatHolds(await mtoolsPacker.pack(files, vfat), files);
  });

  it('sizes the image to hold any mix of file sizes: a few large files or many small ones', async () => {
    const fewLarge = fc.array(fc.nat({ max: 3_000_000 }), { minLength: 1, maxLength: 4 });
    // Each small file still takes a whole cluster, which is what sizing by bytes alone would miss.
    const manySmall = fc.array(fc.nat({ max: 5000 }), { minLength: 20, maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fewLarge, manySmall), fc.nat(), async (sizes, seed) => {
        const files = sizes.map((size, index) => ({ ...largeUserData(size, seed + index), path: `file-${index}` }));
        await expectVfatHolds(await mtoolsPacker.pack(files, vfat), files);
      }),
      { numRuns: 8 },
    );
  });

  it('gives identical bytes twice for the same source date epoch', async () => {
    const options = { ...vfat, sourceDateEpoch: 1_700_000_000 };
    const first = await mtoolsPacker.pack(sampleSeedFiles(), options);
    // Long enough for FAT's two-second clock to tick, so a timestamp we failed to pin would show.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const second = await mtoolsPacker.pack(sampleSeedFiles(), options);
    expectSameBytes(second, first, 'second vfat image');
  });

  it('does not depend on the time zone when reproducible', async () => {
    const options = { ...vfat, sourceDateEpoch: 1_700_000_000 };
    const inUtc = await mtoolsPacker.pack(sampleSeedFiles(), options);
    vi.stubEnv('TZ', 'Asia/Kolkata');
    try {
      expectSameBytes(await mtoolsPacker.pack(sampleSeedFiles(), options), inUtc, 'image packed in Asia/Kolkata');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('stamps a volume id derived from the epoch', async () => {
    const image = await mtoolsPacker.pack(sampleSeedFiles(), { ...vfat, sourceDateEpoch: 1_700_000_000 });
    // A FAT12/16 boot sector keeps the volume id at byte 39, little-endian.
    const volumeId = new DataView(image.buffer, image.byteOffset).getUint32(39, true);
    expect(volumeId.toString(16).padStart(8, '0')).toBe(vfatVolumeId(1_700_000_000));
    expect(vfatVolumeId(1_700_000_000)).toBe('6553f100');
    expect(vfatVolumeId(2 ** 32 + 2 ** 31 + 1)).toBe('80000001');
  });
});

describePackerFailures(mtoolsPacker, {
  filesystem: 'vfat',
  firstProgram: 'mkfs.vfat',
  // With no PATH, mkfs.vfat is still found in /usr/sbin; mcopy is what is missing.
  missingHint: 'apt-get install -y mtools',
  unsupportedFilesystem: 'iso9660',
});
