import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/errors.js';
import { inspectImage } from '../../src/inspect/index.js';
import { missingTools } from '../support/tools.js';
import { cloudLocalds, expectHolds, genisoimage, run, seedFiles, withWorkDirectory } from './support/seed-images.js';
import { errorRejectedBy } from '../support/cloudseed-errors.js';

async function withImageFile<T>(image: Uint8Array, use: (imagePath: string) => Promise<T>): Promise<T> {
  return withWorkDirectory(async (directory) => {
    const imagePath = path.join(directory, 'my-seed.img');
    await writeFile(imagePath, image);
    return use(imagePath);
  });
}

describe.skipIf(missingTools('cloud-localds', 'genisoimage', 'mkfs.vfat', 'mcopy', 'qemu-img').length > 0)('inspectImage on qcow2', () => {
  it.each([
    { flags: ['-d', 'qcow2'], format: 'iso9660' },
    { flags: ['-f', 'vfat', '-d', 'qcow2'], format: 'vfat' },
  ])('converts `cloud-localds $flags` to raw with qemu-img and reads the $format inside', async ({ flags, format }) => {
    const image = await cloudLocalds(seedFiles(), flags);
    const inspection = await withImageFile(image, (imagePath) => inspectImage(imagePath));
    expect(inspection).toMatchObject({ container: 'qcow2', fileBytes: image.length, volume: { format } });
    expectHolds(inspection.volume, seedFiles());
  });

  it('refuses a qcow2 image with a backing file before qemu-img could read that file', async () => {
    await withWorkDirectory(async (directory) => {
      const base = path.join(directory, 'secret.raw');
      await writeFile(base, await genisoimage(seedFiles()));
      const overlay = path.join(directory, 'overlay.qcow2');
      await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'raw', overlay]);
      const error = await errorRejectedBy(inspectImage(overlay));
      expect(error.code).toBe('SPEC_INVALID');
      expect(formatError(error)).toContain(`error: ${overlay}: the qcow2 image names a backing file; a seed image must stand alone`);
    });
  });
});

describe('inspectImage errors name the file', () => {
  it('a file that does not exist is a USAGE error at that path', async () => {
    const error = await errorRejectedBy(inspectImage('/nonexistent/my-seed.img'));
    expect(error.code).toBe('USAGE');
    expect(formatError(error)).toBe('error: /nonexistent/my-seed.img: no such file; expected a seed image file');
  });

  it('a folder is not an image', async () => {
    await withWorkDirectory(async (directory) => {
      const error = await errorRejectedBy(inspectImage(directory));
      expect(formatError(error)).toBe(`error: ${directory}: is a directory, not a regular file; expected a seed image file`);
    });
  });

  it.skipIf(missingTools('genisoimage').length > 0)('a truncated image is SPEC_INVALID, naming the file and both sizes', async () => {
    const image = (await genisoimage(seedFiles())).subarray(0, 40_960);
    const error = await withImageFile(image, (imagePath) => errorRejectedBy(inspectImage(imagePath)));
    expect(error.code).toBe('SPEC_INVALID');
    expect(formatError(error)).toMatch(/^error: \S+my-seed\.img: the image is 40960 bytes but its primary volume descriptor says the volume is \d+ bytes$/m);
  });

  it('an image larger than the limit is refused before it is read', async () => {
    const error = await withImageFile(new Uint8Array(4096), (imagePath) => errorRejectedBy(inspectImage(imagePath, { maxImageBytes: 1000 })));
    expect(error.message).toBe('the image is 4096 bytes; seed images are far smaller (at most 1000 bytes are read)');
  });

  it('a file that is no image says what was expected', async () => {
    await withWorkDirectory(async (directory) => {
      const userData = path.join(directory, 'user-data');
      await mkdir(directory, { recursive: true });
      await writeFile(userData, '#cloud-config\n');
      const error = await errorRejectedBy(inspectImage(userData));
      expect(formatError(error)).toContain(`error: ${userData}: not a seed image (14 bytes): expected ISO 9660`);
    });
  });
});
