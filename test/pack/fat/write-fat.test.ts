import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writeFat } from '../../../src/formats/fat/index.js';
import type { SeedFile } from '../../../src/pack/seed-file.js';
import { hasTool, missingTools } from '../../support/tools.js';
import {
  blkidProbe,
  expectFatHolds,
  expectSameBytes,
  mtoolsFile,
  mtoolsNames,
  output,
  readBytes,
  withImageFile,
  withTemporaryDirectory,
} from './support/fat-readers.js';
import { sizedFile, textFile, threeSeedFiles } from './support/fat-seed-files.js';

const run = promisify(execFile);
const options = { label: 'cidata', timestamp: 1_700_000_000 }; // 2023-11-14 22:13:20 UTC

function clusterBytes(image: Uint8Array): number {
  return (image[13] ?? 0) * 512; // BPB_SecPerClus × 512-byte sectors
}

const readers = ['fsck.vfat', 'mlabel', 'mdir', 'mcopy', 'mattrib', 'blkid'];

describe.skipIf(missingTools(...readers).length > 0)('writeFat, read back by independent tools', () => {
  it('writes a volume fsck finds clean, labelled cidata, holding every file byte for byte', async () => {
    await expectFatHolds(writeFat(threeSeedFiles(), options), threeSeedFiles());
  });

  it('labels the root directory as well as the boot sector, so blkid reports LABEL and not only LABEL_FATBOOT', async () => {
    const image = writeFat(threeSeedFiles(), { ...options, volumeId: 0x1234abcd });
    const probe = await withImageFile(image, blkidProbe);
    expect(probe).toMatchObject({ LABEL: 'cidata', LABEL_FATBOOT: 'cidata', TYPE: 'vfat', VERSION: 'FAT12', UUID: '1234-ABCD' });
  });

  it.skipIf(!hasTool('file'))('is a FAT volume to file(1)', async () => {
    const image = writeFat(threeSeedFiles(), options);
    const description = await withImageFile(image, (imagePath) => output('file', ['-b', imagePath]));
    expect(description).toMatch(/label: "cidata     ", FAT \(12 bit\)/);
    expect(description).toContain('Media descriptor 0xf8');
  });

  it('shows long names and the given time (as UTC, in FAT two-second steps) in mdir', async () => {
    const extra = [textFile('network-config2', 'x'), textFile('README.TXT', 'y'), textFile('café-01.yaml', 'z')];
    const files = [...threeSeedFiles(), ...extra];
    const listing = await withImageFile(writeFat(files, options), (imagePath) => output('mdir', ['-i', imagePath, '::']));
    expect(listing).toMatch(/^USER-D~1\s+\d+ 2023-11-14\s+22:13\s+user-data$/m);
    expect(listing).toMatch(/^NETWOR~1\s+\d+ .* network-config$/m);
    expect(listing).toMatch(/^NETWOR~2\s+\d+ .* network-config2$/m);
    expect(listing).toMatch(/^README\s+TXT\s+1 2023-11-14\s+22:13\s*$/m);
    expect(listing).toMatch(/^CAF_-0~1 YAM\s+1 .* café-01\.yaml$/m);
    await expectFatHolds(writeFat(files, options), files);
  });

  it('clamps times outside FAT\'s 1980–2107 range (SOURCE_DATE_EPOCH=0 is common) instead of wrapping', async () => {
    const files = [textFile('user-data', 'x')];
    const listing = async (timestamp: number): Promise<string> =>
      withImageFile(writeFat(files, { ...options, timestamp }), (imagePath) => output('mdir', ['-i', imagePath, '::']));
    expect(await listing(0)).toMatch(/ 1980-01-01\s+0:00\s+user-data$/m);
    expect(await listing(2 ** 33)).toMatch(/ 2107-12-31\s+23:59\s+user-data$/m);
  });

  it('marks files nobody may write read-only, and every file for archiving', async () => {
    const files = [textFile('user-data', 'x', 0o600), textFile('locked', 'y', 0o444)];
    const attributes = await withImageFile(writeFat(files, options), (imagePath) => output('mattrib', ['-i', imagePath, '::*']));
    expect(attributes.split('\n').filter((line) => line !== '')).toEqual(['  A          ::/user-data', '  A    R     ::/locked']);
  });

  it('holds a 1 MB user-data (cloud-localds fills its fixed 128 KiB at about 100 KB)', async () => {
    const files = [sizedFile('user-data', 1_000_000), ...threeSeedFiles().slice(1)];
    const image = writeFat(files, options);
    expect(image.length).toBeLessThan(1_000_000 * 1.03);
    await expectFatHolds(image, files);
  });

  it('holds a 5 MB file on FAT16', async () => {
    const files = [sizedFile('user-data', 5_000_000), ...threeSeedFiles().slice(1)];
    const image = writeFat(files, options);
    expect(await withImageFile(image, blkidProbe)).toMatchObject({ VERSION: 'FAT16', LABEL: 'cidata' });
    expect(image.length).toBeLessThan(5_000_000 * 1.03);
    await expectFatHolds(image, files);
  });

  it('writes volumes either side of each cluster-size and FAT-type step, clean and typed by cluster count', async () => {
    const steps: string[] = [];
    for (const size of [2_074_000, 2_075_000, 4_146_000, 4_147_000, 4_272_000, 4_273_000]) {
      const files = [sizedFile('user-data', size)];
      const image = writeFat(files, options);
      steps.push(`${(await withImageFile(image, blkidProbe)).VERSION} ${clusterBytes(image)}`);
      await expectFatHolds(image, files);
    }
    expect(steps).toEqual(['FAT12 512', 'FAT12 1024', 'FAT12 1024', 'FAT12 2048', 'FAT12 2048', 'FAT16 1024']);
  });

  it.each([
    ['FAT12 (512-byte clusters)', 0],
    ['FAT16 (1 KiB clusters)', 4_500_000],
  ])('holds files of exactly one and two clusters, one byte either side, and empty files, on %s', async (_, padding) => {
    const probe = writeFat([sizedFile('padding', padding)], options);
    const cluster = clusterBytes(probe);
    const sizes = [0, 1, cluster - 1, cluster, cluster + 1, 2 * cluster - 1, 2 * cluster, 2 * cluster + 1, 0];
    const files = [sizedFile('padding', padding), ...sizes.map((size, index) => sizedFile(`size-${index}-${size}`, size, index))];
    const image = writeFat(files, options);
    expect(clusterBytes(image)).toBe(cluster);
    await expectFatHolds(image, files);
  });

  it('holds a file whose long name needs 20 entries (255 characters) and a name that fills its entries exactly', async () => {
    const files = [textFile('x'.repeat(255), 'a'), textFile('thirteen-char', 'b'), textFile('twenty-six-characters-long', 'c')];
    await expectFatHolds(writeFat(files, options), files);
  });
});

describe.skipIf(missingTools('cloud-localds', 'mkfs.vfat', 'mcopy', 'mdir').length > 0)('writeFat next to cloud-localds', () => {
  it('shows the same files, names and bytes under mtools as cloud-localds -f vfat, in a smaller image', async () => {
    const files = threeSeedFiles().slice(0, 2);
    await withTemporaryDirectory(async (directory) => {
      const staged = path.join(directory, 'in');
      await mkdir(staged);
      for (const file of files) await writeFile(path.join(staged, file.path), file.bytes);
      const theirsPath = path.join(directory, 'theirs.img');
      await run('cloud-localds', ['-f', 'vfat', theirsPath, ...files.map((file) => path.join(staged, file.path))]);
      const oursPath = path.join(directory, 'ours.img');
      const ours = writeFat(files, options);
      await writeFile(oursPath, ours);

      expect(await mtoolsNames(oursPath)).toEqual(await mtoolsNames(theirsPath));
      for (const file of files) {
        expectSameBytes(await mtoolsFile(oursPath, file.path), await mtoolsFile(theirsPath, file.path), file.path);
      }
      const theirs = await readBytes(theirsPath);
      expect(theirs.length).toBe(131_072);
      expect(ours.length).toBeLessThan(theirs.length);
    });
  });
});

describe('writeFat, reproducibly', () => {
  it('gives identical bytes for the same input, whether the time is a Date or seconds', () => {
    const first = writeFat(threeSeedFiles(), options);
    expectSameBytes(writeFat(threeSeedFiles(), options), first, 'second image');
    const fromDate = writeFat(threeSeedFiles(), { ...options, timestamp: new Date(1_700_000_000_000) });
    expectSameBytes(fromDate, first, 'image from a Date');
  });

  it('does not depend on the time zone', () => {
    const inUtc = writeFat(threeSeedFiles(), options);
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata';
    try {
      expectSameBytes(writeFat(threeSeedFiles(), options), inUtc, 'image packed in Asia/Kolkata');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('derives the volume id from the content and the time, and takes one when given', () => {
    const volumeId = (image: Uint8Array): number => new DataView(image.buffer, image.byteOffset).getUint32(39, true);
    const base = volumeId(writeFat(threeSeedFiles(), options));
    const changed = threeSeedFiles().map((file, index) => (index === 0 ? textFile(file.path, 'other', file.mode) : file));
    expect(volumeId(writeFat(changed, options))).not.toBe(base);
    expect(volumeId(writeFat(threeSeedFiles(), { ...options, timestamp: 1_700_000_002 }))).not.toBe(base);
    expect(volumeId(writeFat(threeSeedFiles(), { ...options, volumeId: 0xdeadbeef }))).toBe(0xdeadbeef);
    expect(() => writeFat(threeSeedFiles(), { ...options, volumeId: 2 ** 32 })).toThrow(RangeError);
  });
});

describe.skipIf(missingTools('mount', 'umount').length > 0)('writeFat, mounted by Linux', () => {
  it('mounts read-only through the kernel vfat driver and shows every file', async (context) => {
    const files: SeedFile[] = [...threeSeedFiles(), sizedFile('network-config2', 1025), textFile('empty', '')];
    const image = writeFat(files, options);
    await withImageFile(image, async (imagePath) => {
      const mountPoint = path.join(path.dirname(imagePath), 'mnt');
      await mkdir(mountPoint);
      try {
        await run('mount', ['-t', 'vfat', '-o', 'loop,ro', imagePath, mountPoint]);
      } catch (error) {
        const reason = `mount -o loop,ro was refused here: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`;
        console.warn(`skipping: ${reason}`);
        context.skip(reason);
        return;
      }
      try {
        for (const file of files) {
          expectSameBytes(await readBytes(path.join(mountPoint, file.path)), file.bytes, `mounted ${file.path}`);
        }
      } finally {
        await run('umount', [mountPoint]);
      }
    });
  });
});
